package io.packetparamedic.e2e.netns;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a capture on the public segment shows: whether Paramedic Link JSON is visible on the
 * control port (it must not be: TLS), and whether data-port packets fall inside the sessions the
 * appliance was granted (from its request until its test ended, plus a second for the last
 * segments in flight).
 */
record CaptureAnalysis(
        long controlPayloadBytes,
        List<String> plaintextHits,
        List<String> sessionsWithoutTraffic,
        List<String> outsideSessions,
        int dataPackets,
        int lateProbes) {

    /** Field and type names of the protocol's JSON (spec section 5). */
    static final List<String> FIELD_NAMES = List.of(
            "request_id",
            "payload",
            "session_request",
            "session_grant",
            "test_type",
            "duration_sec",
            "server_hello",
            "policy_summary",
            "pair_request",
            "status_snapshot",
            "expires_at");

    private static final long SLACK_MICROS = 1_000_000;
    static final byte[] LATE_PROBE = "ppn-mapping".getBytes(StandardCharsets.US_ASCII);

    static CaptureAnalysis of(
            List<Capture.Packet> packets, int controlPort, int dataStart, int dataEnd, JsonNode sessions) {
        Map<String, ByteArrayOutputStream> streams = new LinkedHashMap<>();
        long controlBytes = 0;
        List<long[]> windows = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (JsonNode s : sessions) {
            long from = s.path("requested_at_ms").asLong() * 1000;
            long to = Math.max(
                                    s.path("finished_at_ms").asLong(),
                                    s.path("closed_at_ms").asLong(0))
                            * 1000
                    + SLACK_MICROS;
            windows.add(new long[] {from, to, 0});
            names.add(s.path("test_type").asText() + (s.path("reverse").asBoolean() ? " (reverse)" : "") + " port "
                    + s.path("port").asInt());
        }
        List<String> outside = new ArrayList<>();
        int data = 0;
        int late = 0;
        for (Capture.Packet p : packets) {
            if (p.srcPort() == controlPort || p.dstPort() == controlPort) {
                controlBytes += p.payload().length;
                String key = p.src() + ":" + p.srcPort() + ">" + p.dst() + ":" + p.dstPort();
                streams.computeIfAbsent(key, k -> new ByteArrayOutputStream()).writeBytes(p.payload());
                continue;
            }
            boolean fromReflector = p.srcPort() >= dataStart && p.srcPort() <= dataEnd;
            boolean toReflector = p.dstPort() >= dataStart && p.dstPort() <= dataEnd;
            if (!fromReflector && !toReflector) continue;
            data++;
            if (p.protocol().equals("udp") && java.util.Arrays.equals(p.payload(), LATE_PROBE)) {
                // Sent after the session was closed: counted, and an answer to it is a failure.
                if (toReflector) late++;
                else outside.add("answer to a probe sent after the session: " + p.src() + ":" + p.srcPort());
                continue;
            }
            long[] window = null;
            for (long[] w : windows) if (p.epochMicros() >= w[0] && p.epochMicros() <= w[1]) window = w;
            if (window != null) {
                window[2]++;
            } else if (outside.size() < 20) {
                outside.add(p.protocol() + " " + p.src() + ":" + p.srcPort() + " > " + p.dst() + ":" + p.dstPort()
                        + " at " + Instant.ofEpochSecond(0, p.epochMicros() * 1000));
            }
        }
        List<String> hits = new ArrayList<>();
        for (Map.Entry<String, ByteArrayOutputStream> e : streams.entrySet()) {
            String text = new String(e.getValue().toByteArray(), StandardCharsets.ISO_8859_1);
            for (String f : FIELD_NAMES) if (text.contains(f)) hits.add(f + " in " + e.getKey());
        }
        List<String> empty = new ArrayList<>();
        for (int i = 0; i < windows.size(); i++) if (windows.get(i)[2] == 0) empty.add(names.get(i));
        return new CaptureAnalysis(controlBytes, hits, empty, outside, data, late);
    }

    String summary() {
        return controlPayloadBytes + " control payload bytes with none of " + FIELD_NAMES.size() + " field names; "
                + dataPackets
                + " data-port packets, all within " + "their session windows except " + lateProbes
                + " unanswered probes sent after the session";
    }
}
