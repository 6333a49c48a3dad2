package io.packetparamedic.reflector.wire;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;

/**
 * JSON encoding of Paramedic Link envelopes (framing is separate: {@link FrameLimits}). Compact
 * output, snake_case names, unknown fields ignored.
 */
public final class LinkCodec {

    /** Shared, thread-safe mapper configured for the wire format. */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    /**
     * The longest string (value or field name) a peer's message may carry. Nothing a request
     * legitimately holds comes near it (test types, protocols, UUIDs, 8-character pairing codes,
     * Endpoint IDs of 69); the cap bounds what a peer can make the reflector audit and log per
     * request, so that a megabyte-long {@code test_type} cannot turn into megabytes of audit log.
     */
    public static final int MAX_REQUEST_STRING = 512;

    /** Reads what peers send: the wire mapper, with strings, names and nesting bounded. */
    private static final ObjectMapper REQUEST_MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxStringLength(MAX_REQUEST_STRING)
                            .maxNameLength(MAX_REQUEST_STRING)
                            .maxNestingDepth(32)
                            .build())
                    .build())
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    private LinkCodec() {}

    public static byte[] encode(Envelope envelope) {
        try {
            return MAPPER.writeValueAsBytes(envelope);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(
                    "cannot encode " + envelope.payload().getClass().getSimpleName(), e);
        }
    }

    /**
     * Decodes one frame's JSON.
     *
     * @throws ProtocolException 400 for malformed JSON, a missing or unknown type, or fields of
     *     the wrong shape; the message is safe to send to the peer
     */
    public static Envelope decode(byte[] json, int offset, int length) throws ProtocolException {
        return decode(MAPPER, json, offset, length);
    }

    /**
     * Decodes a request from a peer, as {@link #decode} does, but refuses (400) any string or
     * field name longer than {@link #MAX_REQUEST_STRING} characters and nesting deeper than 32.
     */
    public static Envelope decodeRequest(byte[] json) throws ProtocolException {
        return decode(REQUEST_MAPPER, json, 0, json.length);
    }

    private static Envelope decode(ObjectMapper mapper, byte[] json, int offset, int length) throws ProtocolException {
        JsonNode tree;
        try {
            tree = mapper.readTree(json, offset, length);
        } catch (StreamConstraintsException e) {
            throw new ProtocolException(
                    400,
                    "message too large: strings and field names are limited to " + MAX_REQUEST_STRING
                            + " characters, nesting to 32 levels",
                    null);
        } catch (IOException e) {
            throw new ProtocolException(400, "malformed JSON", null);
        }
        if (tree == null || !tree.isObject()) throw new ProtocolException(400, "message must be a JSON object", null);
        JsonNode id = tree.get("request_id");
        String requestId = id != null && id.isValueNode() ? id.asText() : null;
        JsonNode payload = tree.get("payload");
        if (payload == null || !payload.isObject()) {
            throw new ProtocolException(400, "message has no payload object", requestId);
        }
        if (!payload.hasNonNull("type")) throw new ProtocolException(400, "payload has no type", requestId);
        try {
            return new Envelope(requestId, mapper.treeToValue(payload, Payload.class));
        } catch (InvalidTypeIdException e) {
            throw new ProtocolException(400, "unexpected message type", requestId);
        } catch (JsonProcessingException e) {
            throw new ProtocolException(400, "invalid " + payload.get("type").asText() + " message", requestId);
        }
    }

    public static Envelope decode(byte[] json) throws ProtocolException {
        return decode(json, 0, json.length);
    }
}
