package io.packetparamedic.e2e.tests;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20 "Soak": the CI version (3 minutes by default) of bench/soak/run.sh, which runs this same
 * test for hours with {@code -Dsoak.duration=PT2H}. Pass criteria: no crash, no failed cycle, no
 * iperf3 process and no file descriptor left once the load is over, and (in runs long enough to
 * judge it) RSS growth after warm-up under 1 %.
 */
class SoakTest {

    @TempDir
    Path work;

    @Test
    void fieldAppliancesLeaveNothingBehind() throws Exception {
        SoakSettings settings = SoakSettings.fromSystemProperties();
        SoakRun.Verdict verdict = new SoakRun(settings, work).run();
        var report = verdict.report(settings);
        report.forEach(System.out::println);
        Files.write(settings.out().resolve("summary.txt"), report);
        assertThat(verdict.failures()).isEmpty();
    }
}
