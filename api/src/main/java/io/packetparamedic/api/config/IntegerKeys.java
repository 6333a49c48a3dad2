package io.packetparamedic.api.config;

import java.util.Map;

/**
 * The range every integer key accepts. One table serves both the validator and the message for a
 * value that is not a whole number at all ({@code 2.5}), so both say the same thing. Keys inside
 * arrays of tables are written with {@code []}: {@code access.peers[].max_bytes_per_day_per_peer}.
 */
final class IntegerKeys {

    /** Inclusive bounds; {@code max} is {@link Long#MAX_VALUE} when only the type bounds it. */
    record Range(long min, long max) {
        boolean contains(long v) {
            return v >= min && v <= max;
        }

        /** "a positive integer", "an integer >= 0", "an integer from 1 to 100". */
        String requirement() {
            if (max != Long.MAX_VALUE) return "an integer from " + min + " to " + max;
            if (min == 1) return "a positive integer";
            return "an integer >= " + min;
        }
    }

    private static final Range POSITIVE = new Range(1, Long.MAX_VALUE);
    private static final Range NON_NEGATIVE = new Range(0, Long.MAX_VALUE);
    private static final Range PORT = new Range(1, 65_535);

    private static final Map<String, Range> RANGES = Map.ofEntries(
            Map.entry("network.data_port_range_start", PORT),
            Map.entry("network.data_port_range_end", PORT),
            Map.entry("network.handshake_timeout_sec", POSITIVE),
            // 0 exits at once, cutting running tests short; allowed for development.
            Map.entry("network.drain_timeout_sec", new Range(0, 3600)),
            Map.entry("network.busy_poll_us", new Range(0, 1000)),
            Map.entry("network.idle_timeout_sec", POSITIVE),
            Map.entry("network.max_connections", POSITIVE),
            Map.entry("network.max_unauthenticated_per_source", POSITIVE),
            Map.entry("network.max_unauthenticated_percent", new Range(1, 100)),
            Map.entry("network.first_byte_timeout_ms", new Range(100, Long.MAX_VALUE)),
            // One largest frame (1 MiB body and its 4-byte length) must fit, or authorized peers could not send it.
            Map.entry("network.max_buffered_inbound_bytes", new Range((1 << 20) + 4, Long.MAX_VALUE)),
            Map.entry("access.peers[].max_tests_per_hour_per_peer", POSITIVE),
            Map.entry("access.peers[].max_bytes_per_day_per_peer", POSITIVE),
            // A limit of 0 would refuse every test; allow_throughput / allow_udp_echo = false say that plainly.
            Map.entry("quotas.max_test_duration_sec", POSITIVE),
            Map.entry("quotas.max_concurrent_tests", POSITIVE),
            Map.entry("quotas.max_tests_per_hour_per_peer", POSITIVE),
            Map.entry("quotas.max_bytes_per_day_per_peer", POSITIVE),
            Map.entry("quotas.cooldown_sec", NON_NEGATIVE),
            Map.entry("quotas.udp_echo_max_packet_rate", POSITIVE),
            Map.entry("iperf3.default_streams", POSITIVE),
            Map.entry("iperf3.max_streams", POSITIVE),
            Map.entry("logging.audit_log_max_bytes", new Range(4096, Long.MAX_VALUE)),
            Map.entry("logging.audit_log_keep", NON_NEGATIVE));

    private IntegerKeys() {}

    /** The range of {@code key} ({@code access.peers[3].x} is looked up as {@code access.peers[].x}). */
    static Range of(String key) {
        return RANGES.getOrDefault(key.replaceAll("\\[\\d+]", "[]"), NON_NEGATIVE);
    }
}
