package io.packetparamedic.reflector.conformance;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Decodes a frame the way the deployed appliance client does: an envelope with a string
 * {@code request_id} and a {@code payload} tagged by {@code type}; every non-optional field of
 * that type present with the right JSON type and range (unsigned integers are integral and fit
 * their width, enums take only their known values); optional fields absent or null; unknown
 * fields ignored. A frame it could not decode is a {@link FieldClientException}, as a decode
 * error ends the field client's operation.
 */
public final class FieldReplies {

    /** The deny reasons the field client knows; any other value fails to decode there. */
    public static final Set<String> DENY_REASONS =
            Set.of("unauthorized", "rate_limited", "busy", "invalid_params", "quota_exceeded");

    static final Set<String> TEST_TYPES = Set.of("throughput", "udp_echo");

    private static final BigInteger U16 = BigInteger.valueOf(0xFFFF);
    private static final BigInteger U32 = BigInteger.valueOf(0xFFFF_FFFFL);
    private static final BigInteger U64 = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    private static final Map<String, Consumer<Fields>> TYPES = Map.ofEntries(
            Map.entry("hello", f -> f.string("version").strings("features")),
            Map.entry(
                    "server_hello",
                    f -> f.string("version")
                            .strings("features")
                            .object(
                                    "policy_summary",
                                    p -> p.unsigned("max_test_duration_sec", U64)
                                            .unsigned("max_concurrent_tests", U32)
                                            .unsigned("max_tests_per_hour", U32)
                                            .strings("allowed_test_types"))
                            .optionalString("network_position")),
            Map.entry(
                    "session_request",
                    f -> f.oneOf("test_type", TEST_TYPES)
                            .object(
                                    "params",
                                    p -> p.unsigned("duration_sec", U64)
                                            .optionalString("protocol")
                                            .optionalUnsigned("streams", U32)
                                            .optionalBoolean("reverse"))),
            Map.entry(
                    "session_grant",
                    f -> f.string("test_id")
                            .string("mode")
                            .unsigned("port", U16)
                            .string("token")
                            .string("expires_at")),
            Map.entry(
                    "session_deny",
                    f -> f.oneOf("reason", DENY_REASONS).string("message").optionalUnsigned("retry_after_sec", U64)),
            Map.entry("session_close", f -> f.string("test_id")),
            Map.entry("get_status", f -> {}),
            Map.entry(
                    "status_snapshot",
                    f -> f.string("endpoint_id")
                            .unsigned("uptime_sec", U64)
                            .optionalObject(
                                    "active_test",
                                    a -> a.string("test_id")
                                            .oneOf("test_type", TEST_TYPES)
                                            .string("peer_id")
                                            .string("started_at")
                                            .unsigned("remaining_sec", U64))
                            .unsigned("tests_today", U32)
                            .unsigned("bytes_today", U64)
                            .optionalString("network_position")),
            Map.entry("pair_request", f -> f.string("token")),
            Map.entry("pair_response", f -> f.bool("success").string("message").optionalString("endpoint_id")),
            Map.entry("get_path_meta", f -> {}),
            Map.entry(
                    "path_meta",
                    f -> f.number("cpu_load")
                            .unsigned("memory_used_mb", U64)
                            .unsigned("memory_total_mb", U64)
                            .numbers("load_avg", 3)
                            .optionalUnsigned("mtu", U32)
                            .bool("time_synced")
                            .string("build_version")
                            .string("build_hash")),
            Map.entry("ok", f -> {}),
            Map.entry("error", f -> f.unsigned("code", U32).string("message")));

    private FieldReplies() {}

    /** Decodes one frame's JSON text; throws what the field client would fail with. */
    public static JsonNode decode(String text) throws FieldClientException {
        JsonNode frame;
        try {
            frame = FieldClient.JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new FieldClientException("failed to decode frame: " + e.getOriginalMessage());
        }
        try {
            Fields envelope = new Fields(frame, "frame");
            envelope.string("request_id");
            JsonNode payload = frame.get("payload");
            if (payload == null || !payload.isObject()) throw new IllegalArgumentException("missing payload");
            String type = payload.path("type").isTextual() ? payload.get("type").asText() : null;
            Consumer<Fields> shape = type == null ? null : TYPES.get(type);
            if (shape == null) throw new IllegalArgumentException("unknown variant type " + payload.get("type"));
            shape.accept(new Fields(payload, type));
            return frame;
        } catch (IllegalArgumentException e) {
            throw new FieldClientException("failed to decode frame: " + e.getMessage() + " in " + text);
        }
    }

    static String type(JsonNode frame) {
        return frame.path("payload").path("type").asText();
    }

    /** Checks of one JSON object's fields, chained. */
    private record Fields(JsonNode node, String where) {
        private JsonNode required(String name) {
            JsonNode v = node.get(name);
            if (v == null || v.isNull()) throw new IllegalArgumentException("missing field " + where + "." + name);
            return v;
        }

        private JsonNode optional(String name) {
            JsonNode v = node.get(name);
            return v == null || v.isNull() ? null : v;
        }

        Fields string(String name) {
            return check(required(name).isTextual(), name, "a string");
        }

        Fields optionalString(String name) {
            JsonNode v = optional(name);
            return check(v == null || v.isTextual(), name, "a string or null");
        }

        Fields bool(String name) {
            return check(required(name).isBoolean(), name, "a boolean");
        }

        Fields optionalBoolean(String name) {
            JsonNode v = optional(name);
            return check(v == null || v.isBoolean(), name, "a boolean or null");
        }

        Fields number(String name) {
            return check(required(name).isNumber(), name, "a number");
        }

        Fields numbers(String name, int count) {
            JsonNode v = required(name);
            boolean ok = v.isArray() && v.size() == count;
            for (JsonNode e : v) ok &= e.isNumber();
            return check(ok, name, "an array of " + count + " numbers");
        }

        Fields unsigned(String name, BigInteger max) {
            return check(fits(required(name), max), name, "an integer 0.." + max);
        }

        Fields optionalUnsigned(String name, BigInteger max) {
            JsonNode v = optional(name);
            return check(v == null || fits(v, max), name, "an integer 0.." + max + " or null");
        }

        Fields strings(String name) {
            JsonNode v = required(name);
            boolean ok = v.isArray();
            for (JsonNode e : v) ok &= e.isTextual();
            return check(ok, name, "an array of strings");
        }

        Fields oneOf(String name, Set<String> values) {
            JsonNode v = required(name);
            return check(v.isTextual() && values.contains(v.asText()), name, "one of " + values + " (got " + v + ")");
        }

        Fields object(String name, Consumer<Fields> shape) {
            JsonNode v = required(name);
            check(v.isObject(), name, "an object");
            shape.accept(new Fields(v, where + "." + name));
            return this;
        }

        Fields optionalObject(String name, Consumer<Fields> shape) {
            JsonNode v = optional(name);
            if (v == null) return this;
            check(v.isObject(), name, "an object or null");
            shape.accept(new Fields(v, where + "." + name));
            return this;
        }

        private Fields check(boolean ok, String name, String expected) {
            if (!ok)
                throw new IllegalArgumentException(
                        where + "." + name + " must be " + expected + ", got " + node.get(name));
            return this;
        }

        private static boolean fits(JsonNode v, BigInteger max) {
            if (!v.isIntegralNumber()) return false;
            BigInteger n = v.bigIntegerValue();
            return n.signum() >= 0 && n.compareTo(max) <= 0;
        }
    }
}
