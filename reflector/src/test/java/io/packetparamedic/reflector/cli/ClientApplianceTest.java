package io.packetparamedic.reflector.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.reflector.client.LinkClient;
import io.packetparamedic.reflector.wire.Payload;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16: {@code reflector client} behaves as a model appliance against a real reflector
 * ({@code serve} in a child JVM, real iperf3, real UDP): inputs checked before any session,
 * granted duration used, the cooldown waited out between the halves, sessions closed after a
 * failure and on SIGTERM, the reflector's policing told apart from loss, and the results archive.
 */
class ClientApplianceTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    static Path appliance;
    static Path other;
    static Ed25519Identity holder;
    static ServedReflector reflector;

    @BeforeAll
    static void start() throws Exception {
        appliance = dir.resolve("appliance.ed25519");
        other = dir.resolve("other.ed25519");
        Ed25519Identity a = Ed25519Identity.loadOrCreate(appliance);
        Ed25519Identity b = Ed25519Identity.loadOrCreate(other);
        holder = Ed25519Identity.generate();
        // Default cooldown (5 s from the start of the previous test); the echo rate limited to 200/s.
        reflector = ServedReflector.start(
                dir.resolve("reflector"), List.of(a, b, holder), "udp_echo_max_packet_rate = 200\n");
    }

    @AfterAll
    static void stop() throws Exception {
        if (reflector != null) reflector.close();
    }

    @Test
    void badInputsAreRefusedBeforeAnyConnection() throws Exception {
        // Nothing listens on this port: a client that connected first would say "cannot connect".
        String nowhere = "127.0.0.1:" + ServedReflector.freePort();
        Path notIperf3 = Files.writeString(dir.resolve("not-iperf3"), "#!/bin/sh\necho hello\n");
        Files.setPosixFilePermissions(notIperf3, PosixFilePermissions.fromString("rwx------"));
        Path badCriteria = Files.writeString(dir.resolve("criteria.json"), "{\"min_mbps\": 10, \"max_rtt\": 3}");
        record Case(String expected, String... args) {}
        for (Case c : List.of(
                new Case("--count must be 1-1000000, got 0", "udp-echo", "-n", "0"),
                new Case("--size must be 16-65507 bytes", "udp-echo", "--size", "70000"),
                new Case("--interval-ms must be 1-60000", "udp-echo", "--interval-ms", "0"),
                new Case("--duration must be 1-3600 seconds, got 0", "throughput", "-t", "0"),
                new Case("--streams must be 1-128, got 0", "throughput", "-P", "0"),
                new Case("'/no/such/iperf3' cannot be run", "throughput", "--iperf3", "/no/such/iperf3"),
                new Case("is not iperf3 (its --version says: hello)", "throughput", "--iperf3", notIperf3.toString()),
                new Case("unknown criterion 'max_rtt'", "throughput", "--criteria", badCriteria.toString()),
                new Case("--every must be a span like 20s", "soak", "--every", "often"))) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            String[] args = Stream.concat(
                            Stream.of(c.args()),
                            Stream.of("--results", dir.resolve("never").toString()))
                    .toArray(String[]::new);
            int code = ServedReflector.client(
                    appliance, nowhere, new PrintWriter(out, true), new PrintWriter(err, true), args);
            assertThat(code).as(String.join(" ", c.args())).isEqualTo(2);
            assertThat(err.toString())
                    .as(String.join(" ", c.args()))
                    .contains(c.expected())
                    .doesNotContain("cannot connect");
        }
        assertThat(dir.resolve("never")).doesNotExist();
    }

    @Test
    void shortSpeedTestWaitsOutTheCooldownAndMeasuresBothDirectionsIntoAnArchive() throws Exception {
        Path results = dir.resolve("results-speed");
        Cli.Result r = reflector.client(
                appliance,
                "--json",
                "throughput",
                "-t",
                "2",
                "-P",
                "2",
                "--results",
                results.toString(),
                "--min-mbps",
                "1");
        assertThat(r.exitCode()).as(r.err()).isZero();
        // -t 2 with a 5 s cooldown: the download had to wait, visibly.
        assertThat(r.err()).contains("waiting", "the reflector's cooldown between tests");
        JsonNode run = JSON.readTree(r.out());
        assertThat(run.path("passed").asBoolean()).isTrue();
        assertThat(run.path("errors")).isEmpty();
        JsonNode throughput = run.path("throughput");
        assertThat(throughput).hasSize(2);
        for (JsonNode d : throughput) {
            assertThat(d.path("error").isNull()).as(d.toString()).isTrue();
            assertThat(d.path("duration_sec").asInt()).isEqualTo(2);
            assertThat(d.path("streams").asInt()).isEqualTo(2);
            assertThat(d.path("mbit_per_sec").asDouble()).isGreaterThan(1);
            assertThat(d.path("intervals").size()).isGreaterThanOrEqualTo(2);
            assertThat(d.path("intervals").get(0).path("timestamp").asText()).endsWith("Z");
        }
        assertThat(throughput.get(0).path("direction").asText()).isEqualTo("upload");
        assertThat(throughput.get(1).path("direction").asText()).isEqualTo("download");
        // The reflector granted what the client ran: 2 s, 2 streams.
        for (JsonNode d : throughput) {
            String id = d.path("test_id").asText();
            assertThat(reflector.awaitLog(
                            l -> l.contains("event=session_granted ") && l.contains(id), Duration.ofSeconds(10)))
                    .contains("duration_sec=2 ");
        }

        Path archive;
        try (Stream<Path> dirs = Files.list(results)) {
            archive = dirs.findFirst().orElseThrow();
        }
        assertThat(archive.getFileName().toString()).matches("\\d{4}-\\d{2}-\\d{2}_\\d{6}");
        assertThat(JSON.readTree(archive.resolve("test_summary.json").toFile())
                        .path("passed")
                        .asBoolean())
                .isTrue();
        List<String> csv = Files.readAllLines(archive.resolve("metrics.csv"));
        int intervals = throughput.get(0).path("intervals").size()
                + throughput.get(1).path("intervals").size();
        assertThat(csv).hasSize(1 + intervals);
        assertThat(JSON.readTree(archive.resolve("iperf3-1-upload.json").toFile())
                        .path("end")
                        .has("sum_received"))
                .isTrue();
        assertThat(JSON.readTree(archive.resolve("iperf3-2-download.json").toFile())
                        .path("start")
                        .path("test_start")
                        .path("reverse")
                        .asInt())
                .isEqualTo(1);
        assertPng(archive.resolve("throughput.png"));
    }

    @Test
    void udpEchoTellsTheReflectorsPolicingApartFromLoss() throws Exception {
        Path results = dir.resolve("results-echo");
        // 1,000 probes/s against a reflector that answers 200/s.
        Cli.Result r = reflector.client(
                other,
                "--json",
                "udp-echo",
                "-n",
                "2000",
                "--interval-ms",
                "1",
                "--results",
                results.toString(),
                "--max-loss-pct",
                "5",
                "--max-rtt-p99-ms",
                "500");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.err()).contains("the reflector answers up to 200/s", "counted as policed");
        JsonNode echo = JSON.readTree(r.out()).path("udp_echo");
        assertThat(echo.path("granted_packet_rate").asLong()).isEqualTo(200);
        assertThat(echo.path("sent").asInt()).isEqualTo(2000);
        // About 4 in 5 probes are over the rate; they are policed, not network loss.
        assertThat(echo.path("policed_pct").asDouble()).isBetween(60.0, 90.0);
        assertThat(echo.path("loss_pct").asDouble()).isLessThan(5.0);
        assertThat(echo.path("received").asInt()
                        + echo.path("late").asInt()
                        + echo.path("policed").asInt()
                        + echo.path("lost").asInt())
                .isEqualTo(2000);
        JsonNode rtt = echo.path("rtt_ms");
        assertThat(rtt.path("p50").asDouble()).isPositive();
        assertThat(rtt.path("p90").asDouble())
                .isGreaterThanOrEqualTo(rtt.path("p50").asDouble());
        assertThat(rtt.path("p99").asDouble())
                .isGreaterThanOrEqualTo(rtt.path("p90").asDouble());
        assertThat(rtt.path("max").asDouble())
                .isGreaterThanOrEqualTo(rtt.path("p99").asDouble());
        assertThat(echo.path("intervals").size()).isGreaterThanOrEqualTo(2);
        Path archive;
        try (Stream<Path> dirs = Files.list(results)) {
            archive = dirs.findFirst().orElseThrow();
        }
        assertPng(archive.resolve("rtt.png"));
        assertPng(archive.resolve("rtt-distribution.png"));
    }

    @Test
    void aFailedIperf3StillClosesTheSession() throws Exception {
        // Claims to be iperf3, then fails the test: the 30 s session must not stay open.
        Path failing = Files.writeString(
                dir.resolve("failing-iperf3"),
                "#!/bin/sh\n"
                        + "if [ \"$1\" = --version ]; then echo 'iperf 3.12 (stand-in)'; exit 0; fi\n"
                        + "echo '{\"error\": \"stand-in iperf3 gave up\"}'; exit 1\n");
        Files.setPosixFilePermissions(failing, PosixFilePermissions.fromString("rwx------"));
        Cli.Result r = reflector.client(
                other, "--json", "throughput", "-d", "upload", "-t", "30", "--iperf3", failing.toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("error: upload: iperf3 failed: stand-in iperf3 gave up");
        String id =
                JSON.readTree(r.out()).path("throughput").get(0).path("test_id").asText();
        reflector.awaitLog(l -> l.contains("event=session_close ") && l.contains(id), Duration.ofSeconds(10));
    }

    @Test
    void aBusyReflectorIsWaitedForWithACountdownOrExplainedWhenTooLong() throws Exception {
        try (LinkClient c =
                LinkClient.connect("127.0.0.1", reflector.controlPort, holder, LinkClient.Options.defaults())) {
            c.hello();
            // Another appliance holds the only slot for 3 s (the reflector says: retry after its expiry, 3 + 5 s).
            assertThat(c.sessionRequest("udp_echo", new Payload.SessionParams(3, "udp", null, null)))
                    .isInstanceOf(Payload.SessionGrant.class);

            Cli.Result impatient = reflector.client(other, "udp-echo", "-n", "10", "--max-wait", "0");
            assertThat(impatient.exitCode()).isEqualTo(1);
            assertThat(impatient.err())
                    .contains("the reflector refused the udp_echo test (busy)", "--max-wait", "gave up");

            Cli.Result patient = reflector.client(other, "udp-echo", "-n", "10", "--max-wait", "60");
            assertThat(patient.exitCode()).as(patient.err()).isZero();
            assertThat(patient.err()).contains("waiting", "the reflector is busy with another test");
            assertThat(patient.out()).contains("10 sent, 10 received");
        }
    }

    static void assertPng(Path file) throws Exception {
        byte[] bytes = Files.readAllBytes(file);
        assertThat(bytes.length).isGreaterThan(1000);
        assertThat(new String(bytes, 1, 3, java.nio.charset.StandardCharsets.US_ASCII))
                .isEqualTo("PNG");
    }
}
