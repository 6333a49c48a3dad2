package io.packetparamedic.reflector.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import java.io.IOException;

/**
 * The parts of iperf3's control protocol the relay reads (as iperf 3.12 speaks it, checked on the
 * wire): every connection, control or data stream, starts with the client's 37-byte cookie (36
 * characters of {@code [a-z2-7]} and a NUL); on the control connection, after the server's
 * PARAM_EXCHANGE state byte, the client sends its test parameters as a 4-byte big-endian length
 * and that many bytes of JSON, e.g.
 * {@code {"tcp":true,"omit":0,"time":10,"parallel":4,"reverse":true,"len":131072,...}}. Booleans
 * such as {@code reverse}, {@code bidirectional}, {@code udp} appear only when true.
 */
final class Iperf3Wire {

    static final int COOKIE_SIZE = 37;
    /** iperf3's parameter block is a few hundred bytes; a title or extra data could add some. */
    static final int MAX_PARAMETERS = 8 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper();

    private Iperf3Wire() {}

    /** Whether the 37 readable bytes at {@code buf}'s reader index have the shape of an iperf3 cookie. */
    static boolean isCookie(ByteBuf buf) {
        int at = buf.readerIndex();
        if (buf.readableBytes() < COOKIE_SIZE) return false;
        for (int i = 0; i < COOKIE_SIZE - 1; i++) {
            byte b = buf.getByte(at + i);
            if (!((b >= 'a' && b <= 'z') || (b >= '2' && b <= '7'))) return false;
        }
        return buf.getByte(at + COOKIE_SIZE - 1) == 0;
    }

    /** The terms the relay holds a test to. */
    record Grant(int streams, boolean reverse) {}

    /** The outcome of checking a parameter block: the refusal reason, or null and the announced streams. */
    record Verdict(DataPlaneRefusal.Reason refusal, int parallel) {
        boolean allowed() {
            return refusal == null;
        }
    }

    /** Checks the JSON of a parameter block against the grant. */
    static Verdict check(byte[] json, Grant grant) {
        JsonNode p;
        try {
            p = JSON.readTree(json);
        } catch (IOException e) {
            return new Verdict(DataPlaneRefusal.Reason.BAD_PARAMETERS, 0);
        }
        if (p == null || !p.isObject()) return new Verdict(DataPlaneRefusal.Reason.BAD_PARAMETERS, 0);
        // Only TCP is relayed; "tcp":true is how a TCP test announces itself.
        if (p.path("udp").asBoolean(false)
                || p.path("sctp").asBoolean(false)
                || !p.path("tcp").asBoolean(false)) {
            return new Verdict(DataPlaneRefusal.Reason.PROTOCOL_MISMATCH, 0);
        }
        if (p.path("bidirectional").asBoolean(false) || p.path("reverse").asBoolean(false) != grant.reverse()) {
            return new Verdict(DataPlaneRefusal.Reason.DIRECTION_MISMATCH, 0);
        }
        JsonNode parallel = p.get("parallel");
        if (parallel == null || !parallel.canConvertToInt() || parallel.asInt() < 1) {
            return new Verdict(DataPlaneRefusal.Reason.BAD_PARAMETERS, 0);
        }
        if (parallel.asInt() > grant.streams()) return new Verdict(DataPlaneRefusal.Reason.TOO_MANY_STREAMS, 0);
        return new Verdict(null, parallel.asInt());
    }
}
