package io.packetparamedic.reflector.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Pass/fail thresholds for a run, from the command line or a JSON file such as
 * {@code {"min_mbps": 500, "max_rtt_p99_ms": 20, "max_loss_pct": 0.5}}. A criterion with no
 * value, or whose measurement the run did not make, is not judged. Loss is network loss: probes
 * the reflector policed (this client sending faster than its granted rate) and late echoes are
 * reported beside it, not in it.
 */
public record Criteria(Double minMbps, Double maxRttP99Ms, Double maxLossPct) {

    private static final Set<String> KEYS = Set.of("min_mbps", "max_rtt_p99_ms", "max_loss_pct");

    public static final Criteria NONE = new Criteria(null, null, null);

    /** One judged criterion. */
    public record Check(String criterion, String subject, double limit, double measured, boolean passed) {}

    /** @throws IllegalArgumentException naming the file and what is wrong with it */
    public static Criteria load(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readString(file));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read criteria file " + file + ": " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(
                    "criteria file " + file + " must hold a JSON object such as {\"min_mbps\": 100}");
        }
        root.fieldNames().forEachRemaining(name -> {
            if (!KEYS.contains(name)) {
                throw new IllegalArgumentException(
                        "criteria file " + file + ": unknown criterion '" + name + "' (known: "
                                + String.join(", ", KEYS.stream().sorted().toList()) + ")");
            }
        });
        return new Criteria(
                        number(root, "min_mbps", file),
                        number(root, "max_rtt_p99_ms", file),
                        number(root, "max_loss_pct", file))
                .validated();
    }

    /** These criteria, each replaced by {@code override}'s where that has one. */
    public Criteria overriddenBy(Criteria override) {
        return new Criteria(
                        override.minMbps != null ? override.minMbps : minMbps,
                        override.maxRttP99Ms != null ? override.maxRttP99Ms : maxRttP99Ms,
                        override.maxLossPct != null ? override.maxLossPct : maxLossPct)
                .validated();
    }

    public Criteria validated() {
        for (Double v : new Double[] {minMbps, maxRttP99Ms, maxLossPct}) {
            if (v != null && (v.isNaN() || v < 0))
                throw new IllegalArgumentException("criteria must be numbers >= 0, got " + v);
        }
        return this;
    }

    public boolean any() {
        return minMbps != null || maxRttP99Ms != null || maxLossPct != null;
    }

    public List<Check> judge(List<ThroughputTest.Direction> directions, EchoTest.Outcome echo) {
        List<Check> checks = new ArrayList<>();
        if (minMbps != null) {
            for (ThroughputTest.Direction d : directions) {
                double mbps = d.result().mbitPerSecond();
                checks.add(new Check(
                        "min_mbps", d.direction(), minMbps, mbps, d.result().ok() && mbps >= minMbps));
            }
        }
        if (echo != null && maxRttP99Ms != null) {
            double p99 = echo.result().rttP99Ms();
            checks.add(new Check(
                    "max_rtt_p99_ms", "udp_echo", maxRttP99Ms, p99, !Double.isNaN(p99) && p99 <= maxRttP99Ms));
        }
        if (echo != null && maxLossPct != null) {
            double loss = echo.result().lossPercent();
            checks.add(new Check("max_loss_pct", "udp_echo", maxLossPct, loss, loss <= maxLossPct));
        }
        return checks;
    }

    private static Double number(JsonNode root, String key, Path file) {
        JsonNode n = root.get(key);
        if (n == null || n.isNull()) return null;
        if (!n.isNumber())
            throw new IllegalArgumentException("criteria file " + file + ": " + key + " must be a number");
        return n.asDouble();
    }
}
