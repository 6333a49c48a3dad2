package io.packetparamedic.e2e.tests;

import java.nio.file.Path;
import java.time.Duration;

/**
 * What a soak run does, from system properties ({@code -Dsoak.duration=PT2H} and so on): the
 * same code is the 3-minute CI test and the bench's long run (bench/soak/run.sh).
 *
 * @param appliances simulated field appliances, each with its own identity
 * @param duration how long the appliances keep testing
 * @param warmUp load before the baseline is taken (JIT, pools, heap sizing settle)
 * @param sampleInterval between two CSV rows
 * @param period how often each appliance runs its cycle (speed test + UDP echo); cycles are
 *     staggered evenly over the period
 * @param testSeconds each direction of the speed test (the field client uses 10)
 * @param streamRate iperf3 {@code -b} per stream: the machine is shared, so the load is paced
 * @param assertRss whether RSS growth after warm-up is a pass criterion (it needs a run long
 *     enough for the heap to stop sizing itself: on by default from 20 minutes)
 * @param out where the CSV goes
 */
record SoakSettings(
        int appliances,
        Duration duration,
        Duration warmUp,
        Duration sampleInterval,
        Duration period,
        int testSeconds,
        String streamRate,
        boolean assertRss,
        Path out) {

    static SoakSettings fromSystemProperties() {
        Duration duration = Duration.parse(System.getProperty("soak.duration", "PT3M"));
        Duration warmUp =
                duration(System.getProperty("soak.warmUp"), min(Duration.ofMinutes(10), duration.dividedBy(5)));
        Duration sample =
                duration(System.getProperty("soak.sampleInterval"), min(Duration.ofMinutes(1), duration.dividedBy(12)));
        return new SoakSettings(
                Integer.getInteger("soak.appliances", 50),
                duration,
                warmUp,
                sample,
                Duration.parse(System.getProperty("soak.period", "PT2M")),
                Integer.getInteger("soak.testSeconds", 10),
                System.getProperty("soak.streamRate", "5M"),
                Boolean.parseBoolean(System.getProperty(
                        "soak.assertRss", Boolean.toString(duration.compareTo(Duration.ofMinutes(20)) >= 0))),
                Path.of(System.getProperty("soak.out", "target/soak")));
    }

    private static Duration duration(String value, Duration otherwise) {
        return value == null || value.isBlank() ? otherwise : Duration.parse(value);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
