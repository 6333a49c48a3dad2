package io.packetparamedic.reflector.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.packetparamedic.api.identity.Ed25519Identity;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16 item 4: a soak against a real reflector that goes away in the middle of a cycle and
 * comes back only after the next cycle has started: the interrupted cycle fails, the client
 * reconnects with backoff, the later cycles pass, nothing crashes, and one archive holds it all.
 * {@code -Dclient.soak.duration} sets the soak's length (CI: 2m); the schedule is every 20 s.
 */
class ClientSoakTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void aSoakOutlivesAReflectorRestartAndArchivesEveryCycle() throws Exception {
        Duration length =
                ClientSoakCommand.span("client.soak.duration", System.getProperty("client.soak.duration", "2m"));
        Duration every = Duration.ofSeconds(20);
        int cycles = (int) (length.toSeconds() / every.toSeconds());
        assertThat(cycles).as("the soak needs at least 4 cycles").isGreaterThanOrEqualTo(4);
        int interrupted = cycles / 2;

        Path identity = dir.resolve("appliance.ed25519");
        Ed25519Identity appliance = Ed25519Identity.loadOrCreate(identity);
        Path results = dir.resolve("results");
        try (ServedReflector reflector = ServedReflector.start(dir.resolve("reflector"), List.of(appliance), "")) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            CompletableFuture<Integer> soak = CompletableFuture.supplyAsync(() -> ServedReflector.client(
                    identity,
                    reflector.server(),
                    new PrintWriter(out, true),
                    new PrintWriter(err, true),
                    "soak",
                    "--every",
                    "20s",
                    "--for",
                    length.toSeconds() + "s",
                    "-t",
                    "2",
                    "-P",
                    "1",
                    "--echo-count",
                    "200",
                    "--echo-interval-ms",
                    "5",
                    "--health-url",
                    "http://127.0.0.1:" + reflector.healthPort,
                    "--results",
                    results.toString()));

            // Stop the reflector while the middle cycle's upload runs; bring it back once the next
            // cycle has found it unreachable.
            awaitText(err, "cycle " + interrupted + " at", soak);
            awaitText(err, "upload: session", soak, err.toString().lastIndexOf("cycle " + interrupted + " at"));
            reflector.stop();
            awaitText(err, "reflector unreachable", soak);
            reflector.startAgain();

            int exit = soak.get(length.toSeconds() + 120, TimeUnit.SECONDS);
            String log = err.toString();
            assertThat(out.toString()).as(log).contains("0 client crashes");

            Path archive;
            try (Stream<Path> dirs = Files.list(results)) {
                archive = dirs.findFirst().orElseThrow();
            }
            JsonNode summary =
                    JSON.readTree(archive.resolve("test_summary.json").toFile());
            JsonNode s = summary.path("soak");
            assertThat(s.path("cycles").asInt()).isEqualTo(cycles);
            assertThat(s.path("client_crashes").asInt()).isZero();
            assertThat(s.path("reconnects").asInt()).isGreaterThanOrEqualTo(1);
            assertThat(s.path("reflector_restarts_seen").asInt()).isEqualTo(1);
            assertThat(s.path("cycles_failed").asInt()).isEqualTo(1);
            JsonNode rows = summary.path("cycles");
            assertThat(rows.get(interrupted - 1).path("passed").asBoolean()).isFalse();
            assertThat(rows.get(interrupted - 1).path("errors").toString()).contains("control connection");
            assertThat(rows.get(cycles - 1).path("passed").asBoolean())
                    .as(rows.toString())
                    .isTrue();
            assertThat(s.path("memory").path("client_rss_first_bytes").asLong()).isPositive();
            assertThat(s.path("memory")
                            .path("reflector_jvm_memory_used_first_bytes")
                            .asLong())
                    .isPositive();
            assertThat(s.path("criteria").get(0).path("criterion").asText()).isEqualTo("zero_client_crashes");
            assertThat(s.path("criteria").get(0).path("passed").asBoolean()).isTrue();
            assertThat(exit).isEqualTo(s.path("passed").asBoolean() ? 0 : 1);

            // Every passed cycle's intervals are in the one CSV: 2 directions x 2 s + 1 s of echo.
            long throughputRows = Files.readAllLines(archive.resolve("metrics.csv")).stream()
                    .filter(l -> l.contains(",throughput,"))
                    .count();
            assertThat(throughputRows).isGreaterThanOrEqualTo(4L * (cycles - 1));
            try (Stream<Path> raw = Files.list(archive)) {
                assertThat(raw.filter(p -> p.getFileName().toString().startsWith("iperf3-"))
                                .count())
                        .isGreaterThanOrEqualTo(2L * (cycles - 1));
            }
            ClientApplianceTest.assertPng(archive.resolve("throughput.png"));
            ClientApplianceTest.assertPng(archive.resolve("rtt.png"));
            System.out.printf(
                    "soak: %d cycles, %d reconnects, client RSS growth %s %%, reflector JVM memory growth %s %%%n",
                    s.path("cycles").asInt(),
                    s.path("reconnects").asInt(),
                    s.path("memory").path("client_rss_growth_pct").asText(),
                    s.path("memory")
                            .path("reflector_jvm_memory_used_growth_pct")
                            .asText());
        }
    }

    private static void awaitText(StringWriter err, String text, CompletableFuture<Integer> soak)
            throws InterruptedException {
        awaitText(err, text, soak, 0);
    }

    /** Waits for {@code text} in the soak's stderr after {@code from}; fails if the soak ended first. */
    private static void awaitText(StringWriter err, String text, CompletableFuture<Integer> soak, int from)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (err.toString().indexOf(text, Math.max(0, from)) < 0) {
            assertThat(soak.isDone())
                    .as("the soak ended before '" + text + "':\n" + err)
                    .isFalse();
            assertThat(System.nanoTime())
                    .as("'" + text + "' within 90 s:\n" + err)
                    .isLessThan(deadline);
            TimeUnit.MILLISECONDS.sleep(50);
        }
    }
}
