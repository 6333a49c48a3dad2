package io.packetparamedic.reflector.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetparamedic.api.identity.Ed25519Identity;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16: a client stopped mid-test (Ctrl-C / SIGTERM) closes its session, so the reflector's
 * only slot is free at once instead of at expiry, and its iperf3 does not outlive it.
 */
class ClientInterruptTest {

    private static final Pattern GRANTED = Pattern.compile("upload: session (\\S+) on port");

    @TempDir
    Path dir;

    @Test
    void aClientStoppedMidTestClosesItsSessionAndStopsIperf3() throws Exception {
        Path identity = dir.resolve("appliance.ed25519");
        Ed25519Identity appliance = Ed25519Identity.loadOrCreate(identity);
        try (ServedReflector reflector = ServedReflector.start(dir.resolve("reflector"), List.of(appliance), "");
                ServeProcess client = ServeProcess.start(
                        Map.of(),
                        "client",
                        "-s",
                        reflector.server(),
                        "-i",
                        identity.toString(),
                        "throughput",
                        "-d",
                        "upload",
                        "-t",
                        "30",
                        "-P",
                        "1")) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            Matcher granted = GRANTED.matcher("");
            while (!(granted = GRANTED.matcher(client.stderr())).find()) {
                assertThat(client.process.isAlive()).as(client.stderr()).isTrue();
                assertThat(System.nanoTime())
                        .as("a grant within 30 s; stderr: " + client.stderr())
                        .isLessThan(deadline);
                TimeUnit.MILLISECONDS.sleep(50);
            }
            String testId = granted.group(1);
            // The grant is printed before iperf3 is started: wait for the child to appear.
            List<ProcessHandle> iperf3;
            while ((iperf3 = client.process
                            .descendants()
                            .filter(p -> p.info()
                                    .command()
                                    .map(c -> c.endsWith("iperf3"))
                                    .orElse(false))
                            .toList())
                    .isEmpty()) {
                assertThat(client.process.isAlive()).as(client.stderr()).isTrue();
                assertThat(System.nanoTime())
                        .as("iperf3 started within 30 s of the request; stderr: " + client.stderr())
                        .isLessThan(deadline);
                TimeUnit.MILLISECONDS.sleep(20);
            }
            assertThat(iperf3).hasSize(1);

            long stopped = System.nanoTime();
            client.process.destroy(); // SIGTERM, as Ctrl-C's SIGINT: the JVM runs its shutdown hooks
            reflector.awaitLog(l -> l.contains("event=session_close ") && l.contains(testId), Duration.ofSeconds(25));
            iperf3.get(0).onExit().get(10, TimeUnit.SECONDS);
            assertThat(client.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
            System.out.printf(
                    "session %s closed %d ms after the client was stopped (granted for 30 s)%n",
                    testId, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopped));
        }
    }
}
