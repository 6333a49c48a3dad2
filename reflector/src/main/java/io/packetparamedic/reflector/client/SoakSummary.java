package io.packetparamedic.reflector.client;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The soak's {@code test_summary.json}: cycle counts, reconnects, client crashes, memory growth and
 * the criteria of the validation seeds a client can judge: zero client crashes and memory growth
 * under 1 %. Memory growth compares the sample after the first cycle (the JVM warmed up) with the
 * latest one. The last {@value #CYCLES_KEPT} cycles are listed in full; the counts cover all.
 */
public final class SoakSummary {

    static final int CYCLES_KEPT = 1000;
    static final double MAX_MEMORY_GROWTH_PCT = 1.0;

    private final Instant startedAt;
    private final Duration every;
    private final Duration total;
    private final MemorySampler memory;
    private final Deque<Map<String, Object>> cycles = new ArrayDeque<>();
    private final List<Long> clientRss = new ArrayList<>(2);
    private final List<Long> reflectorMemory = new ArrayList<>(2);
    private Instant finishedAt;
    private int count;
    private int passed;
    private int crashes;
    private int reconnects;
    private Double reflectorStart;
    private int reflectorRestarts;
    private String chartsError;

    SoakSummary(Instant startedAt, Duration every, Duration total, MemorySampler memory) {
        this.startedAt = startedAt;
        this.every = every;
        this.total = total;
        this.memory = memory;
    }

    void crashed() {
        crashes++;
    }

    void reconnected() {
        reconnects++;
    }

    /** The charts could not be drawn (the rest of the archive is written regardless). */
    void chartsFailed(String why) {
        chartsError = why;
    }

    void add(int cycle, RunReport report) {
        count++;
        if (report.passed()) passed++;
        Map<String, Object> row = new LinkedHashMap<>(report.toMap());
        row.remove("throughput");
        row.remove("udp_echo");
        row.put("cycle", cycle);
        Map<String, Object> mbps = new LinkedHashMap<>();
        report.directions()
                .forEach(d -> mbps.put(d.direction(), RunReport.round(d.result().mbitPerSecond())));
        row.put("mbit_per_sec", mbps);
        if (report.echo() != null) {
            row.put("rtt_p99_ms", RunReport.round(report.echo().result().rttP99Ms()));
            row.put("loss_pct", RunReport.round(report.echo().result().lossPercent()));
        }
        if (cycles.size() == CYCLES_KEPT) cycles.removeFirst();
        cycles.addLast(row);
    }

    /** Samples both memories (after each cycle). */
    void sampleMemory() {
        sample(clientRss, memory.clientRssBytes());
        memory.reflector().ifPresent(this::sampleReflector);
    }

    void finish(Instant at) {
        finishedAt = at;
    }

    public int cycles() {
        return count;
    }

    public int cyclesPassed() {
        return passed;
    }

    public int crashes() {
        return crashes;
    }

    public int reconnects() {
        return reconnects;
    }

    /** Growth of the client's RSS since the first cycle, in percent; NaN before two samples. */
    public double clientMemoryGrowthPct() {
        return growth(clientRss);
    }

    public boolean passed() {
        double growth = clientMemoryGrowthPct();
        return crashes == 0 && (Double.isNaN(growth) || growth < MAX_MEMORY_GROWTH_PCT);
    }

    Map<String, Object> toMap(Instant now) {
        Map<String, Object> soak = new LinkedHashMap<>();
        soak.put("started_at", startedAt.toString());
        soak.put("finished_at", finishedAt == null ? null : finishedAt.toString());
        soak.put("updated_at", now.toString());
        soak.put("every_sec", every.toSeconds());
        soak.put("for_sec", total.toSeconds());
        soak.put("cycles", count);
        soak.put("cycles_passed", passed);
        soak.put("cycles_failed", count - passed);
        soak.put("client_crashes", crashes);
        soak.put("reconnects", reconnects);
        soak.put("reflector_restarts_seen", reflectorRestarts);
        if (chartsError != null) soak.put("charts_error", chartsError);
        Map<String, Object> mem = new LinkedHashMap<>();
        putMemory(mem, "client_rss", clientRss);
        putMemory(mem, "reflector_jvm_memory_used", reflectorMemory);
        soak.put("memory", mem);
        List<Map<String, Object>> criteria = new ArrayList<>();
        criteria.add(criterion("zero_client_crashes", 0, crashes, crashes == 0));
        double growth = clientMemoryGrowthPct();
        criteria.add(criterion(
                "client_memory_growth_pct_below",
                MAX_MEMORY_GROWTH_PCT,
                RunReport.round(growth),
                Double.isNaN(growth) ? null : growth < MAX_MEMORY_GROWTH_PCT));
        double reflectorGrowth = growth(reflectorMemory);
        if (!reflectorMemory.isEmpty()) {
            criteria.add(criterion(
                    "reflector_memory_growth_pct_below",
                    MAX_MEMORY_GROWTH_PCT,
                    RunReport.round(reflectorGrowth),
                    Double.isNaN(reflectorGrowth) ? null : reflectorGrowth < MAX_MEMORY_GROWTH_PCT));
        }
        soak.put("criteria", criteria);
        soak.put("passed", passed());
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("soak", soak);
        root.put("cycles", List.copyOf(cycles));
        return root;
    }

    private static Map<String, Object> criterion(String name, double limit, Object measured, Boolean passed) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("criterion", name);
        c.put("limit", limit);
        c.put("measured", measured);
        c.put("passed", passed);
        return c;
    }

    /** A reflector that restarted is a new process: its memory is compared from its new start. */
    private void sampleReflector(MemorySampler.ReflectorSample sample) {
        if (reflectorStart != null && Double.compare(reflectorStart, sample.startTimeSeconds()) != 0) {
            reflectorRestarts++;
            reflectorMemory.clear();
        }
        reflectorStart = sample.startTimeSeconds();
        sample(reflectorMemory, OptionalLong.of(sample.jvmMemoryUsedBytes()));
    }

    /** Keeps the first sample and the latest one. */
    private static void sample(List<Long> samples, OptionalLong value) {
        if (value.isEmpty()) return;
        if (samples.size() == 2) samples.set(1, value.getAsLong());
        else samples.add(value.getAsLong());
    }

    private static double growth(List<Long> samples) {
        if (samples.size() < 2 || samples.get(0) == 0) return Double.NaN;
        return 100.0 * (samples.get(1) - samples.get(0)) / samples.get(0);
    }

    private static void putMemory(Map<String, Object> into, String name, List<Long> samples) {
        if (samples.isEmpty()) return;
        into.put(name + "_first_bytes", samples.get(0));
        into.put(name + "_last_bytes", samples.get(samples.size() - 1));
        into.put(name + "_growth_pct", RunReport.round(growth(samples)));
    }
}
