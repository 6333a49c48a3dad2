package io.packetparamedic.e2e.netns;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * The archived result of one run: per matrix cell the figures the appliance measured, plus the
 * other checks. Written as {@code test_summary.json} and {@code metrics.csv} into
 * {@code target/netns-runs/<time>-<prefix>/}, copied to {@code target/}, and printed as a table.
 */
record MatrixReport(
        String runId,
        Instant finishedAt,
        String impairmentMode,
        Impairment impairment,
        List<Cell> cells,
        List<Check> checks) {

    /** One cell: pass/fail and what the client measured (NaN where a step did not run). */
    record Cell(
            String role,
            String label,
            String nat,
            boolean impaired,
            boolean pass,
            double upMbitPerSec,
            double downMbitPerSec,
            double rttP50Ms,
            double rttP99Ms,
            double rttAvgMs,
            double jitterMs,
            double lossPercent,
            int probes,
            double connectMs,
            String error) {

        static Cell from(NatLab.Appliance a, JsonNode r) {
            JsonNode echo = r.path("udp_echo");
            return new Cell(
                    a.role(),
                    a.label(),
                    a.nat().name(),
                    a.impaired(),
                    r.path("ok").asBoolean(false),
                    num(r, "up_mbit_per_s"),
                    num(r, "down_mbit_per_s"),
                    num(echo, "rtt_p50_ms"),
                    num(echo, "rtt_p99_ms"),
                    num(echo, "rtt_avg_ms"),
                    num(echo, "jitter_ms"),
                    num(echo, "loss_percent"),
                    echo.path("sent").asInt(0),
                    num(r, "connect_ms"),
                    r.path("error").asText(""));
        }

        private static double num(JsonNode n, String field) {
            return n.hasNonNull(field) ? n.get(field).asDouble() : Double.NaN;
        }
    }

    /** A check beyond the matrix (capture, storm, NAT behaviour). */
    record Check(String name, boolean pass, String detail) {}

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Writes the run's files and the latest copies; returns the run directory. */
    Path write(Path buildDir) throws IOException {
        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
                .withZone(ZoneOffset.UTC)
                .format(finishedAt);
        Path runDir = buildDir.resolve("netns-runs").resolve(stamp + "-" + runId);
        Files.createDirectories(runDir);
        Files.writeString(runDir.resolve("test_summary.json"), JSON.writeValueAsString(summary()));
        Files.writeString(runDir.resolve("metrics.csv"), csv());
        Files.writeString(runDir.resolve("table.txt"), table());
        for (String f : List.of("test_summary.json", "metrics.csv")) {
            Files.copy(runDir.resolve(f), buildDir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
        }
        return runDir;
    }

    ObjectNode summary() {
        ObjectNode root = JSON.createObjectNode();
        root.put("suite", "netns-e2e");
        root.put("run_id", runId);
        root.put("finished_at", finishedAt.toString());
        root.put(
                "pass",
                cells.stream().allMatch(Cell::pass) && checks.stream().allMatch(Check::pass) && cells.size() == 8);
        ObjectNode imp = root.putObject("impairment");
        imp.put("mechanism", impairmentMode);
        imp.put("applied_to", "appliance uplink, egress only (appliance -> network); RTT includes the delay once");
        imp.put("delay_ms", impairment.delayMs());
        imp.put("jitter_ms", impairment.jitterMs());
        imp.put("loss_percent", impairment.lossPercent());
        ArrayNode c = root.putArray("cells");
        for (Cell cell : cells) c.add(JSON.valueToTree(cell));
        ArrayNode k = root.putArray("checks");
        for (Check check : checks) k.add(JSON.valueToTree(check));
        return root;
    }

    String csv() {
        StringBuilder b = new StringBuilder(
                "cell,nat,impaired,pass,up_mbit_s,down_mbit_s,rtt_p50_ms,rtt_p99_ms,rtt_avg_ms,jitter_ms,loss_percent,probes,connect_ms\n");
        for (Cell c : cells) {
            b.append(String.format(
                    Locale.ROOT,
                    "%s,%s,%s,%s,%.2f,%.2f,%.3f,%.3f,%.3f,%.3f,%.2f,%d,%.1f%n",
                    c.role(),
                    c.nat(),
                    c.impaired(),
                    c.pass(),
                    c.upMbitPerSec(),
                    c.downMbitPerSec(),
                    c.rttP50Ms(),
                    c.rttP99Ms(),
                    c.rttAvgMs(),
                    c.jitterMs(),
                    c.lossPercent(),
                    c.probes(),
                    c.connectMs()));
        }
        return b.toString();
    }

    String table() {
        StringBuilder b = new StringBuilder();
        b.append("netns e2e matrix (run ")
                .append(runId)
                .append("; impairment ")
                .append(impairment)
                .append(" on the uplink, via ")
                .append(impairmentMode)
                .append(")\n");
        String fmt = "%-26s %-4s %9s %9s %8s %8s %8s %7s %7s %9s%n";
        b.append(String.format(
                Locale.ROOT,
                fmt,
                "cell",
                "ok",
                "up Mb/s",
                "down Mb/s",
                "p50 ms",
                "p99 ms",
                "jit ms",
                "loss %",
                "probes",
                "conn ms"));
        for (Cell c : cells) {
            b.append(String.format(
                    Locale.ROOT,
                    "%-26s %-4s %9.1f %9.1f %8.2f %8.2f %8.2f %7.2f %7d %9.1f%n",
                    c.label(),
                    c.pass() ? "PASS" : "FAIL",
                    c.upMbitPerSec(),
                    c.downMbitPerSec(),
                    c.rttP50Ms(),
                    c.rttP99Ms(),
                    c.jitterMs(),
                    c.lossPercent(),
                    c.probes(),
                    c.connectMs()));
        }
        for (Check k : checks)
            b.append(k.pass() ? "PASS " : "FAIL ")
                    .append(k.name())
                    .append(": ")
                    .append(k.detail())
                    .append('\n');
        return b.toString();
    }
}
