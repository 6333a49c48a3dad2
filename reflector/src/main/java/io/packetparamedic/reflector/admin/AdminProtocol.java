package io.packetparamedic.reflector.admin;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The local admin channel's protocol: one JSON request line, one JSON response line, then the
 * server closes. Field names are snake_case. Requests are bounded ({@link #MAX_REQUEST_BYTES});
 * so are responses ({@link #MAX_RESPONSE_BYTES}).
 *
 * <pre>
 * → {"op":"pair","ttl_sec":600,"code":"ABCD2345"}     (code optional)
 * ← {"ok":true,"pairing":{"endpoint_id":"…","code":"ABCD2345","expires_at":"2026-…Z"}}
 * → {"op":"status"}
 * ← {"ok":true,"status":{"endpoint_id":"…","uptime_sec":42,"connections":1,…}}
 * ← {"ok":false,"error":"…"}                           (any failure)
 * </pre>
 */
public final class AdminProtocol {

    public static final int MAX_REQUEST_BYTES = 4096;
    public static final int MAX_RESPONSE_BYTES = 64 * 1024;
    public static final String OP_PAIR = "pair";
    public static final String OP_STATUS = "status";

    static final ObjectMapper MAPPER = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private AdminProtocol() {}

    /** A request: {@code op} is {@value #OP_PAIR} or {@value #OP_STATUS}. */
    public record Request(String op, Long ttlSec, String code) {
        public static Request pair(long ttlSec, String code) {
            return new Request(OP_PAIR, ttlSec, code);
        }

        public static Request status() {
            return new Request(OP_STATUS, null, null);
        }
    }

    public record Response(boolean ok, String error, PairingOpened pairing, LiveFigures status) {
        public static Response failure(String error) {
            return new Response(false, error, null, null);
        }

        public static Response of(PairingOpened pairing) {
            return new Response(true, null, pairing, null);
        }

        public static Response of(LiveFigures status) {
            return new Response(true, null, null, status);
        }
    }

    /** A pairing window opened on the live server; the code is shown once, to the operator who asked. */
    public record PairingOpened(String endpointId, String code, String expiresAt) {}

    /** What {@code reflector status} shows. The open window's code is never included. */
    public record LiveFigures(
            String endpointId,
            long uptimeSec,
            long connections,
            long authorizedPeers,
            OpenWindow pairingWindow,
            ActiveTest activeTest,
            long testsToday,
            long bytesToday) {}

    /** {@code expires_at} is null for a configured code without expiry. */
    public record OpenWindow(String window, String expiresAt) {}

    public record ActiveTest(String testId, String testType, String peerId, String startedAt, long remainingSec) {}

    static byte[] encodeLine(Object value) {
        try {
            byte[] json = MAPPER.writeValueAsBytes(value);
            byte[] line = new byte[json.length + 1];
            System.arraycopy(json, 0, line, 0, json.length);
            line[json.length] = '\n';
            return line;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode admin message", e);
        }
    }

    static <T> T decode(byte[] line, int length, Class<T> type) throws java.io.IOException {
        return MAPPER.readValue(line, 0, length, type);
    }
}
