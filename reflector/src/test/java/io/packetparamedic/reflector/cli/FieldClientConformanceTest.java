package io.packetparamedic.reflector.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.reflector.conformance.FieldClient;
import io.packetparamedic.reflector.conformance.FieldClientGolden;
import io.packetparamedic.reflector.conformance.FieldSpeedTest;
import io.packetparamedic.reflector.server.TestReflector;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11: the deployed appliance client, reproduced on the wire ({@link FieldClient}), against
 * {@code reflector serve} with its default settings (a configuration that sets only paths and
 * loopback listen addresses). It pairs by code, then runs the appliance's speed test twice in a
 * row — upload, 500 ms, iperf3 -P 4 -t 10, download at once, -R, never session_close — and the
 * reflector's status shows the bytes afterwards.
 */
class FieldClientConformanceTest {

    private static final Pattern CODE = Pattern.compile("Pairing code: ([A-Z0-9]{8})");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private Path config;
    private ServeProcess serve;

    @BeforeEach
    void startWithDefaults() throws Exception {
        config = Cli.configIn(
                dir,
                "[network]\nlisten_address = \"127.0.0.1:0\"\nlisten_address_health = \"127.0.0.1:0\"\n"
                        + "tls_provider = \"" + TestReflector.tlsProvider() + "\"\n");
        serve = ServeProcess.start(Map.of(), "-c", config.toString(), "serve").awaitBanner(Duration.ofSeconds(60));
    }

    @AfterEach
    void stop() throws Exception {
        if (serve != null) serve.close();
    }

    private InetSocketAddress control() {
        return new InetSocketAddress("127.0.0.1", serve.port());
    }

    @Test
    void theFieldClientPairsThenRunsTheSpeedTestTwiceInARowWithDefaultQuotas() throws Exception {
        long started = System.nanoTime();
        Ed25519Identity appliance = Ed25519Identity.generate();

        Cli.Result pair = Cli.run("-c", config.toString(), "pair", "--ttl", "10m");
        Matcher code = CODE.matcher(pair.out());
        assertThat(code.find()).as(pair.out() + pair.err()).isTrue();
        try (FieldClient client = FieldClient.connect(control(), appliance)) {
            assertThat(client.tlsProtocol()).isEqualTo("TLSv1.3");
            assertThat(client.applicationProtocol()).isNullOrEmpty();
            JsonNode paired = client.pair(code.group(1));
            assertThat(paired.path("success").asBoolean()).as(paired.toString()).isTrue();
            assertThat(paired.path("endpoint_id").asText()).isEqualTo(serve.endpointId());
            assertThat(client.sentFrames())
                    .extracting(f -> f.path("request_id").asText())
                    .containsExactly("init-0", "req-1");
        }

        FieldSpeedTest.Result first = FieldSpeedTest.run(control(), appliance, "iperf3");
        FieldSpeedTest.Result second = FieldSpeedTest.run(control(), appliance, "iperf3");

        for (FieldSpeedTest.Result r : List.of(first, second)) {
            assertThat(r.sent())
                    .containsExactly(
                            FieldClientGolden.tree("sends/hello.json"),
                            FieldClientGolden.tree("sends/session_request_upload.json"),
                            FieldClientGolden.tree("sends/session_request_download.json"));
            assertThat(r.uploadGrant().path("expires_at").asText()).isNotBlank();
            assertThat(r.upload().bytesReceived()).isPositive();
            assertThat(r.download().bytesReceived()).isPositive();
        }
        long clientBytes = first.bytesSent() + second.bytesSent();

        // The reflector counted what iperf3 moved: its own totals, per session, in the day's figures.
        // A session counts when it starts and its bytes when iperf3 has exited and the relay has
        // drained, a moment after the client's iperf3 returns: wait for the last session's bytes.
        JsonNode figures = statusFigures();
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (figures.path("bytes_today").asLong() < clientBytes * 0.95 && System.nanoTime() < deadline) {
            Thread.sleep(100); // the admin socket is polled: there is no event to await from outside
            figures = statusFigures();
        }
        assertThat(figures.path("tests_today").asLong()).isEqualTo(4);
        long counted = figures.path("bytes_today").asLong();
        assertThat((double) counted).isBetween(clientBytes * 0.95, clientBytes * 1.05);

        // The audit writer runs a moment behind the figures: wait for the last session's line.
        List<JsonNode> audit = auditLines();
        while (audit.stream()
                                .filter(l -> l.path("event_type").asText().equals("session_completed"))
                                .count()
                        < 4
                && System.nanoTime() < deadline) {
            Thread.sleep(50);
            audit = auditLines();
        }
        assertThat(audit)
                .filteredOn(l -> l.path("event_type").asText().equals("connection_accepted"))
                .extracting(l -> l.path("alpn").asText())
                .containsExactly("none", "none", "none");
        assertThat(audit)
                .filteredOn(l -> l.path("event_type").asText().equals("session_completed"))
                .hasSize(4);
        assertThat(audit).noneMatch(l -> l.path("event_type").asText().equals("session_denied"));

        System.out.printf(
                Locale.ROOT,
                "field speed test on loopback: %.2f GB per speed test (upload %.0f Mbit/s, download %.0f Mbit/s);"
                        + " reflector counted %d bytes for two; conformance run %.1f s%n",
                first.bytesSent() / 1e9,
                first.upload().receivedMbps(),
                first.download().receivedMbps(),
                counted,
                (System.nanoTime() - started) / 1e9);
    }

    private List<JsonNode> auditLines() throws java.io.IOException {
        return Files.readAllLines(dir.resolve("state/audit.jsonl")).stream()
                .map(FieldClientConformanceTest::json)
                .toList();
    }

    private JsonNode statusFigures() throws java.io.IOException {
        Cli.Result status = Cli.run("-c", config.toString(), "status", "--json");
        assertThat(status.exitCode()).as(status.err()).isZero();
        return JSON.readTree(status.out());
    }

    private static JsonNode json(String line) {
        try {
            return JSON.readTree(line);
        } catch (java.io.IOException e) {
            throw new AssertionError("audit line is not JSON: " + line, e);
        }
    }
}
