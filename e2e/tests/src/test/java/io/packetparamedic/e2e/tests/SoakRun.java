package io.packetparamedic.e2e.tests;

import io.packetparamedic.e2e.harness.Await;
import io.packetparamedic.e2e.harness.ReflectorProcess;
import io.packetparamedic.reflector.client.ThroughputRunner;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A soak: N field appliances against one real standalone reflector for a chosen duration,
 * sampled into a CSV. Leak figures compare two idle points (every cycle finished, every session
 * over): one after the warm-up and one at the end; the load is paused for the first and stopped
 * for the second, so what is still held then is held for good.
 */
final class SoakRun {

    /** What a run found; {@link #failures()} lists the broken pass criteria. */
    record Verdict(
            int cyclesOk,
            int cyclesBusy,
            int cyclesFailed,
            List<String> failureSamples,
            boolean crashed,
            ReflectorFigures baseline,
            ReflectorFigures end,
            double rssGrowthPercent,
            boolean assertRss,
            List<String> fdsGained,
            List<String> heapGrowth) {

        List<String> failures() {
            List<String> f = new ArrayList<>();
            if (crashed) f.add("the reflector exited during the run");
            if (cyclesFailed > 0) f.add(cyclesFailed + " cycles failed, e.g. " + failureSamples);
            if (cyclesOk == 0) f.add("no cycle completed");
            if (end.iperf3Children() > 0) f.add(end.iperf3Children() + " iperf3 processes left");
            if (end.fds() > baseline.fds()) f.add((end.fds() - baseline.fds()) + " file descriptors leaked");
            if (end.oldGenBytes() > baseline.oldGenBytes() * 1.1 + (4 << 20)) {
                f.add("live heap (old generation after a full GC) grew from " + baseline.oldGenBytes() + " to "
                        + end.oldGenBytes() + " bytes");
            }
            if (assertRss && rssGrowthPercent >= 1.0)
                f.add(String.format("RSS grew %.2f %% after warm-up", rssGrowthPercent));
            return f;
        }

        List<String> report(SoakSettings s) {
            return List.of(
                    "SOAK appliances=" + s.appliances() + " duration=" + s.duration() + " warm_up=" + s.warmUp()
                            + " period=" + s.period() + " test_seconds=" + s.testSeconds() + " stream_rate="
                            + s.streamRate(),
                    "SOAK cycles ok=" + cyclesOk + " gave_up_busy=" + cyclesBusy + " failed=" + cyclesFailed,
                    "SOAK crashes=" + (crashed ? 1 : 0),
                    "SOAK idle_after_warm_up " + ReflectorFigures.CSV_HEADER + " = " + baseline.csv(),
                    "SOAK idle_at_end        " + ReflectorFigures.CSV_HEADER + " = " + end.csv(),
                    "SOAK leaked_iperf3=" + end.iperf3Children() + " leaked_fds="
                            + Math.max(0, end.fds() - baseline.fds()) + " threads_delta="
                            + (end.threads() - baseline.threads()),
                    "SOAK descriptors open at the end and not after warm-up: " + fdsGained,
                    "SOAK live heap growth by class (bytes, top " + HEAP_GROWTH_ROWS + "): " + heapGrowth,
                    String.format(
                            "SOAK rss_growth_after_warm_up=%.2f%% (criterion < 1%%, %s)",
                            rssGrowthPercent, assertRss ? "asserted" : "reported only: run too short"),
                    "SOAK " + (failures().isEmpty() ? "PASS" : "FAIL " + failures()));
        }
    }

    private final SoakSettings settings;
    private final Path work;
    private final ReentrantReadWriteLock load = new ReentrantReadWriteLock(true);
    private final AtomicInteger ok = new AtomicInteger();
    private final AtomicInteger busy = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final List<String> failureSamples = new ArrayList<>();
    /** What the descriptors pointed at, at the last idle point. */
    private List<String> idleFds = List.of();
    /** Live bytes per class at the last idle point. */
    private Map<String, Long> idleHistogram = Map.of();

    private static final int HEAP_GROWTH_ROWS = 12;

    SoakRun(SoakSettings settings, Path work) {
        this.settings = settings;
        this.work = work;
    }

    Verdict run() throws Exception {
        List<FieldAppliance> appliances = new ArrayList<>();
        ThroughputRunner pacedIperf3 = new ThroughputRunner(pacedIperf3().toString());
        for (int i = 0; i < settings.appliances(); i++)
            appliances.add(new FieldAppliance(pacedIperf3, settings.testSeconds()));
        Path config = writeConfig(appliances);
        Files.createDirectories(settings.out());
        // The pod's JVM flags (the soak measures what a deployment runs), plus -XX:+AlwaysPreTouch: the
        // whole heap is resident from the start, so RSS growth measures native memory instead of how far
        // the serial collector's old generation has been filled with garbage between full GCs (the heap
        // is judged by its live size after a full GC instead).
        // -XX:MarkSweepDeadRatio=0: the serial collector's full GC otherwise leaves up to 5 % of the old
        // generation as "dead wood" (dead objects it does not compact away, formatted as int arrays),
        // which both the class histogram and the old generation's size would count as live; with 0
        // every full GC compacts completely, so the idle points measure exactly what is retained. It
        // changes neither what the reflector retains nor its RSS (the heap is pre-touched).
        List<String> jvm = List.of(
                "-Xmx256m",
                "-Xms256m",
                "-XX:+AlwaysPreTouch",
                "-XX:+UseSerialGC",
                "-XX:MarkSweepDeadRatio=0",
                "-XX:TieredStopAtLevel=1");
        try (ReflectorProcess reflector = ReflectorProcess.serve(List.of(), jvm, config, work.resolve("reflector.log"))
                        .awaitBanner(Duration.ofSeconds(60));
                PrintWriter csv = new PrintWriter(
                        Files.newBufferedWriter(settings.out().resolve("soak.csv"), StandardCharsets.UTF_8))) {
            ReflectorFigures.Probe probe = new ReflectorFigures.Probe(
                    reflector.handle(), reflector.healthPort(), work.resolve("state/audit.jsonl"));
            csv.println("time,elapsed_s,phase," + ReflectorFigures.CSV_HEADER + ",cycles_ok,cycles_busy,cycles_failed");
            Instant start = Instant.now();
            Instant end = start.plus(settings.duration());
            List<Thread> threads = startAppliances(appliances, reflector, start, end);

            Instant warm = start.plus(settings.warmUp());
            Instant nextSample = start;
            ReflectorFigures baseline = null;
            List<String> baselineFds = null;
            Map<String, Long> baselineHistogram = Map.of();
            boolean crashed = false;
            while (Instant.now().isBefore(end)) {
                if (!reflector.isAlive()) {
                    crashed = true;
                    break;
                }
                if (baseline == null && !Instant.now().isBefore(warm)) {
                    baseline = quiesced(probe, "idle_after_warm_up");
                    baselineFds = idleFds;
                    baselineHistogram = idleHistogram;
                    row(csv, start, "idle_after_warm_up", baseline);
                }
                if (!Instant.now().isBefore(nextSample)) {
                    row(csv, start, Instant.now().isBefore(warm) ? "warm_up" : "load", probe.sample());
                    nextSample = nextSample.plus(settings.sampleInterval());
                }
                sleepUntil(min(nextSample, baseline == null ? warm : end, end));
            }
            for (Thread t : threads)
                t.join(Duration.ofSeconds(settings.testSeconds() * 2L + 120).toMillis());
            crashed |= !reflector.isAlive();
            if (crashed) {
                // Nothing left to sample: the figures of a dead process are not leaks.
                ReflectorFigures none = new ReflectorFigures(0, 0, 0, 0, 0, 0, 0, 0, 0);
                baseline = baseline == null ? none : baseline;
            }
            if (baseline == null) {
                baseline = quiesced(probe, "idle_after_warm_up");
                baselineFds = idleFds;
                baselineHistogram = idleHistogram;
            }
            ReflectorFigures last = crashed ? baseline : quiesced(probe, "idle_at_end");
            row(csv, start, "idle_at_end", last);
            double growth = baseline.rssKb() == 0 ? 0 : 100.0 * (last.rssKb() - baseline.rssKb()) / baseline.rssKb();
            synchronized (failureSamples) {
                return new Verdict(
                        ok.get(),
                        busy.get(),
                        failed.get(),
                        List.copyOf(failureSamples),
                        crashed,
                        baseline,
                        last,
                        growth,
                        settings.assertRss(),
                        crashed ? List.of() : gained(baselineFds, idleFds),
                        crashed ? List.of() : grown(baselineHistogram, idleHistogram));
            }
        }
    }

    /**
     * Pauses the appliances (the write lock waits for running cycles), waits until every session
     * has expired and every connection is gone, runs a full GC (so heap used is the live set),
     * samples (also {@link #idleFds}, and {@link #idleHistogram}, written to
     * {@code histogram-<phase>.txt}), and lets the load go on.
     */
    private ReflectorFigures quiesced(ReflectorFigures.Probe probe, String phase)
            throws InterruptedException, IOException {
        load.writeLock().lock();
        try {
            Await.until(
                    Duration.ofSeconds(settings.testSeconds() + 60L),
                    "the reflector to be idle",
                    () -> probe.sample().idle());
            idleHistogram = probe.classHistogram(); // a full collection first: heap used is then the live set
            idleFds = probe.fdTargets();
            List<String> rows = idleHistogram.entrySet().stream()
                    .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                    .map(e -> e.getValue() + " " + e.getKey())
                    .toList();
            Files.write(settings.out().resolve("histogram-" + phase + ".txt"), rows);
            return probe.sample();
        } finally {
            load.writeLock().unlock();
        }
    }

    private List<Thread> startAppliances(
            List<FieldAppliance> appliances, ReflectorProcess reflector, Instant start, Instant end) {
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < appliances.size(); i++) {
            FieldAppliance a = appliances.get(i);
            Duration offset = settings.period().multipliedBy(i).dividedBy(appliances.size());
            Thread t = new Thread(() -> cycles(a, reflector, start.plus(offset), end), "appliance-" + i);
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
        return threads;
    }

    /** Runs cycles at {@code first}, {@code first + period}, … until {@code end}. */
    private void cycles(FieldAppliance a, ReflectorProcess reflector, Instant first, Instant end) {
        try {
            for (Instant next = first; next.isBefore(end); next = next.plus(settings.period())) {
                sleepUntil(next);
                if (!Instant.now().isBefore(end)) return;
                load.readLock().lock();
                try {
                    StringBuilder why = new StringBuilder();
                    switch (a.cycle(reflector, why)) {
                        case OK -> ok.incrementAndGet();
                        case GAVE_UP_BUSY -> busy.incrementAndGet();
                        case FAILED -> {
                            failed.incrementAndGet();
                            synchronized (failureSamples) {
                                if (failureSamples.size() < 5) failureSamples.add(why.toString());
                            }
                        }
                    }
                } finally {
                    load.readLock().unlock();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void row(PrintWriter csv, Instant start, String phase, ReflectorFigures f) {
        Instant now = Instant.now();
        csv.println(now + "," + Duration.between(start, now).toSeconds() + "," + phase + "," + f.csv() + "," + ok.get()
                + "," + busy.get() + "," + failed.get());
        csv.flush();
    }

    /**
     * The appliances' iperf3, paced ({@code -b} per stream): unpaced, 4-stream tests on loopback
     * would measure the shared machine's CPU rather than the reflector.
     */
    private Path pacedIperf3() throws IOException {
        Path wrapper = work.resolve("iperf3-paced");
        Files.createDirectories(work);
        Files.writeString(wrapper, "#!/bin/sh\nexec iperf3 \"$@\" -b " + settings.streamRate() + "\n");
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwx------"));
        return wrapper;
    }

    /**
     * Defaults except what a soak needs: every appliance authorized, room for the concurrent tests
     * a fleet of this size produces, and an hourly limit that the schedule does not reach. Data
     * ports come from a random range below the ephemeral ports (several runs share the machine).
     */
    private Path writeConfig(List<FieldAppliance> appliances) throws IOException {
        int base = 20_000 + ThreadLocalRandom.current().nextInt(100) * 100;
        List<String> peers =
                appliances.stream().map(a -> a.appliance().id().toString()).toList();
        return ReflectorProcess.writeStandaloneConfig(work, base, base + 99, peers, """
                [quotas]
                max_concurrent_tests = 16
                max_tests_per_hour_per_peer = 1000
                """);
    }

    /** {@code after} minus {@code before}, as multisets. */
    private static List<String> gained(List<String> before, List<String> after) {
        List<String> left = new ArrayList<>(after);
        before.forEach(left::remove);
        return left;
    }

    /** The classes whose live bytes grew most between two histograms, as "+bytes class". */
    private static List<String> grown(Map<String, Long> before, Map<String, Long> after) {
        return after.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L)))
                .filter(e -> e.getValue() > 0)
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(HEAP_GROWTH_ROWS)
                .map(e -> "+" + e.getValue() + " " + e.getKey())
                .toList();
    }

    private static Instant min(Instant a, Instant b, Instant c) {
        Instant m = a.isBefore(b) ? a : b;
        return m.isBefore(c) ? m : c;
    }

    /** Waits for a point in the schedule (a timer, not synchronisation with another thread). */
    private static void sleepUntil(Instant t) throws InterruptedException {
        long millis = Duration.between(Instant.now(), t).toMillis();
        if (millis > 0) TimeUnit.MILLISECONDS.sleep(millis);
    }
}
