package io.packetparamedic.reflector.client;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The full record of one client run, as {@code --json} prints it and {@code test_summary.json}
 * keeps it: timestamps, every direction with its iperf3 intervals, the UDP echo figures with their
 * intervals, the criteria checks and the errors. Interval timestamps are absolute (UTC), so runs
 * of a soak line up.
 */
public final class RunReport {

    private final String reflector;
    private final Instant startedAt;
    private final List<ThroughputTest.Direction> directions = new ArrayList<>();
    private final List<String> errors = new ArrayList<>();
    private EchoTest.Outcome echo;
    private List<Criteria.Check> checks = List.of();
    private Instant finishedAt;

    public RunReport(String reflector, Instant startedAt) {
        this.reflector = reflector;
        this.startedAt = startedAt;
    }

    public void add(ThroughputTest.Direction direction) {
        directions.add(direction);
        if (!direction.result().ok()) {
            errors.add(direction.direction() + ": iperf3 failed: "
                    + direction.result().error() + " (exit "
                    + direction.result().exitCode() + ")");
        }
    }

    public void add(EchoTest.Outcome outcome) {
        this.echo = outcome;
    }

    public void error(String message) {
        errors.add(message);
    }

    public void finish(Criteria criteria, Instant at) {
        this.checks = criteria.judge(directions, echo);
        this.finishedAt = at;
    }

    public List<ThroughputTest.Direction> directions() {
        return directions;
    }

    public EchoTest.Outcome echo() {
        return echo;
    }

    public List<String> errors() {
        return errors;
    }

    public List<Criteria.Check> checks() {
        return checks;
    }

    /** No errors and every judged criterion met. */
    public boolean passed() {
        return errors.isEmpty() && checks.stream().allMatch(Criteria.Check::passed);
    }

    /** The record as a JSON-ready tree (snake_case keys). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("reflector", reflector);
        m.put("started_at", startedAt.toString());
        m.put("finished_at", finishedAt == null ? null : finishedAt.toString());
        m.put("passed", passed());
        List<Map<String, Object>> throughput = new ArrayList<>();
        for (ThroughputTest.Direction d : directions) throughput.add(direction(d));
        m.put("throughput", throughput);
        m.put("udp_echo", echo == null ? null : echo(echo));
        m.put("checks", checks);
        m.put("errors", errors);
        return m;
    }

    private static Map<String, Object> direction(ThroughputTest.Direction d) {
        ThroughputRunner.Result r = d.result();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("direction", d.direction());
        m.put("test_id", d.testId());
        m.put("started_at", d.startedAt().toString());
        m.put("duration_sec", d.durationSec());
        m.put("streams", d.streams());
        m.put("mbit_per_sec", round(r.mbitPerSecond()));
        m.put("bytes", r.bytes());
        m.put("seconds", r.seconds());
        m.put("retransmits", r.retransmits());
        m.put("error", r.error());
        List<Map<String, Object>> intervals = new ArrayList<>();
        for (ThroughputRunner.Interval i : r.intervals()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("timestamp", at(d.startedAt(), i.endSec()).toString());
            row.put("start_sec", i.startSec());
            row.put("end_sec", i.endSec());
            row.put("bytes", i.bytes());
            row.put("mbit_per_sec", round(i.mbitPerSecond()));
            row.put("retransmits", i.retransmits());
            intervals.add(row);
        }
        m.put("intervals", intervals);
        return m;
    }

    private static Map<String, Object> echo(EchoTest.Outcome o) {
        UdpEchoProbe.Result r = o.result();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("test_id", o.testId());
        m.put("started_at", o.startedAt().toString());
        m.put("probes_per_sec", round(o.settings().probesPerSecond()));
        m.put(
                "granted_packet_rate",
                o.settings().packetRate() == 0 ? null : o.settings().packetRate());
        m.put("size", o.settings().size());
        m.put("late_after_ms", o.settings().lateAfterMillis());
        m.put("sent", r.sent());
        m.put("received", r.received());
        m.put("late", r.late());
        m.put("policed", r.policed());
        m.put("lost", r.lost());
        m.put("corrupted", r.corrupted());
        m.put("loss_pct", round(r.lossPercent()));
        m.put("policed_pct", round(r.policedPercent()));
        m.put("late_pct", round(r.latePercent()));
        Map<String, Object> rtt = new LinkedHashMap<>();
        rtt.put("min", finite(r.rttMinMs()));
        rtt.put("avg", finite(r.rttAvgMs()));
        rtt.put("p50", finite(r.rttP50Ms()));
        rtt.put("p90", finite(r.rttP90Ms()));
        rtt.put("p99", finite(r.rttP99Ms()));
        rtt.put("max", finite(r.rttMaxMs()));
        m.put("rtt_ms", rtt);
        m.put("jitter_ms", finite(r.jitterMs()));
        List<Map<String, Object>> intervals = new ArrayList<>();
        for (UdpEchoProbe.Interval i : r.intervals()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("timestamp", at(o.startedAt(), i.endSec()).toString());
            row.put("start_sec", i.startSec());
            row.put("end_sec", i.endSec());
            row.put("sent", i.sent());
            row.put("received", i.received());
            row.put("late", i.late());
            row.put("policed", i.policed());
            row.put("lost", i.lost());
            row.put("rtt_p50_ms", finite(i.rttP50Ms()));
            row.put("rtt_p99_ms", finite(i.rttP99Ms()));
            row.put("rtt_max_ms", finite(i.rttMaxMs()));
            intervals.add(row);
        }
        m.put("intervals", intervals);
        return m;
    }

    static Instant at(Instant start, double offsetSec) {
        return start.plusMillis(Math.round(offsetSec * 1000));
    }

    /** Two decimals for figures a person reads; NaN (nothing measured) as null. */
    static Double round(double v) {
        return Double.isFinite(v) ? Math.round(v * 100) / 100.0 : null;
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? Math.round(v * 1000) / 1000.0 : null;
    }
}
