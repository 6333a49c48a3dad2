package io.packetparamedic.reflector.wire;

import com.fasterxml.jackson.core.JsonProcessingException;
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

    private LinkCodec() {}

    public static byte[] encode(Envelope envelope) {
        try {
            return MAPPER.writeValueAsBytes(envelope);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + envelope.payload().getClass().getSimpleName(), e);
        }
    }

    /**
     * Decodes one frame's JSON.
     *
     * @throws ProtocolException 400 for malformed JSON, a missing or unknown type, or fields of
     *     the wrong shape; the message is safe to send to the peer
     */
    public static Envelope decode(byte[] json, int offset, int length) throws ProtocolException {
        JsonNode tree;
        try {
            tree = MAPPER.readTree(json, offset, length);
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
            return new Envelope(requestId, MAPPER.treeToValue(payload, Payload.class));
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
