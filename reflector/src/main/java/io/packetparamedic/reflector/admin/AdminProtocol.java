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
 * → {"op":"close_pairing"}
 * ← {"ok":true,"closed":{"window":"local","expires_at":"…"}}  (closed absent: none was open)
 * → {"op":"peers"}
 * ← {"ok":true,"peers":[{"endpoint_id":"…","name":"lab","source":"config",…},…]}
 * → {"op":"remove_peer","peer":"PP-7DN2-FF6E"}         (name, Endpoint ID or its start)
 * ← {"ok":true,"removed":{"endpoint_id":"…","connections_closed":1}}
 * ← {"ok":false,"error":"…"}                           (any failure)
 * </pre>
 */
public final class AdminProtocol {

    public static final int MAX_REQUEST_BYTES = 4096;
    /** Room for {@code peers} with some thousands of peers; the CLI allocates it once per call. */
    public static final int MAX_RESPONSE_BYTES = 1 << 20;

    public static final String OP_PAIR = "pair";
    public static final String OP_STATUS = "status";
    public static final String OP_CLOSE_PAIRING = "close_pairing";
    public static final String OP_PEERS = "peers";
    public static final String OP_REMOVE_PEER = "remove_peer";

    static final ObjectMapper MAPPER = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private AdminProtocol() {}

    /** A request: {@code op} is one of the {@code OP_} constants; the other fields belong to one op each. */
    public record Request(String op, Long ttlSec, String code, String peer) {
        public static Request pair(long ttlSec, String code) {
            return new Request(OP_PAIR, ttlSec, code, null);
        }

        public static Request status() {
            return new Request(OP_STATUS, null, null, null);
        }

        public static Request closePairing() {
            return new Request(OP_CLOSE_PAIRING, null, null, null);
        }

        public static Request peers() {
            return new Request(OP_PEERS, null, null, null);
        }

        public static Request removePeer(String nameOrId) {
            return new Request(OP_REMOVE_PEER, null, null, nameOrId);
        }
    }

    /** The answer: {@code ok} and the one field of the request's op, or {@code error}. */
    public record Response(
            boolean ok,
            String error,
            PairingOpened pairing,
            LiveFigures status,
            OpenWindow closed,
            java.util.List<Peer> peers,
            RemovedPeer removed) {
        public static Response failure(String error) {
            return new Response(false, error, null, null, null, null, null);
        }

        public static Response of(PairingOpened pairing) {
            return new Response(true, null, pairing, null, null, null, null);
        }

        public static Response of(LiveFigures status) {
            return new Response(true, null, null, status, null, null, null);
        }

        /** {@code closed} is null when no window was open. */
        public static Response closed(OpenWindow closed) {
            return new Response(true, null, null, null, closed, null, null);
        }

        public static Response of(java.util.List<Peer> peers) {
            return new Response(true, null, null, null, null, peers, null);
        }

        public static Response of(RemovedPeer removed) {
            return new Response(true, null, null, null, null, null, removed);
        }
    }

    /**
     * One authorized peer for {@code reflector peers list}. {@code source} is {@code config} (listed in
     * the configuration file), {@code paired} or {@code config+paired}; {@code last_seen} is the last
     * connection or session request; usage figures are for the current UTC day / rolling hour.
     */
    public record Peer(
            String endpointId,
            String name,
            String source,
            String pairedAt,
            String pairedThrough,
            String lastSeen,
            int connections,
            int testsLastHour,
            long bytesToday) {}

    public record RemovedPeer(String endpointId, int connectionsClosed) {}

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
