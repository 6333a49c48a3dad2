package io.packetparamedic.reflector.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.reflector.client.LinkClient;
import io.packetparamedic.reflector.conformance.FieldSpeedTest;
import io.packetparamedic.reflector.wire.Payload;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20 item 6, on the process: {@code reflector serve} gets SIGTERM while the deployed
 * appliance's speed test (upload, then download at once) is running. The health endpoint turns
 * 503 draining, another appliance is refused busy with retry_after_sec, the speed test finishes
 * whole (its download is the one follow-up a draining reflector grants), and the process then
 * exits 0 well within the drain period.
 */
class GracefulDrainTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int DRAIN_SEC = 60;

    @TempDir
    Path dir;

    @Test
    void sigtermLetsTheRunningSpeedTestFinishRefusesNewTestsAndExitsZero() throws Exception {
        Ed25519Identity appliance = Ed25519Identity.generate();
        Ed25519Identity latecomer = Ed25519Identity.generate();
        Path config = Cli.configIn(
                dir,
                "[network]\nlisten_address = \"127.0.0.1:0\"\nlisten_address_health = \"127.0.0.1:0\"\n"
                        + "drain_timeout_sec = " + DRAIN_SEC + "\n"
                        + "[access]\nauthorized_peers = [\"" + appliance.endpointId() + "\", \""
                        + latecomer.endpointId() + "\"]\n");
        try (ServeProcess serve =
                ServeProcess.start(Map.of(), "-c", config.toString(), "serve").awaitBanner(Duration.ofSeconds(60))) {
            InetSocketAddress control = new InetSocketAddress("127.0.0.1", serve.port());
            HttpClient http = HttpClient.newHttpClient();
            assertThat(health(http, serve).statusCode()).isEqualTo(200);

            CompletableFuture<FieldSpeedTest.Result> speedTest = CompletableFuture.supplyAsync(() -> {
                try {
                    return FieldSpeedTest.run(control, appliance, "iperf3");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            // The upload grant is logged when iperf3 listens; the log is the only outside signal of it.
            serve.awaitStderr("event=session_granted", Duration.ofSeconds(30));

            long sigterm = System.nanoTime();
            // SIGTERM through the handle: Process.destroy() would also close our ends of the child's
            // stdout and stderr, and with them the log this test reads.
            serve.process.toHandle().destroy();
            HttpResponse<String> draining = awaitDraining(http, serve, Duration.ofSeconds(10));
            assertThat(draining.statusCode()).isEqualTo(503);
            assertThat(JSON.readTree(draining.body()).path("status").asText()).isEqualTo("draining");
            // The liveness path stays 200: a kubelet must not restart a pod that is finishing tests.
            HttpResponse<String> live = http.send(
                    HttpRequest.newBuilder(serve.healthUri().resolve("/livez"))
                            .timeout(Duration.ofSeconds(5))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(live.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(live.body()).path("status").asText()).isEqualTo("draining");

            try (LinkClient other = LinkClient.connect(control, latecomer, LinkClient.Options.defaults())) {
                other.hello();
                Payload reply = other.sessionRequest("throughput", new Payload.SessionParams(10, "tcp", 1, false));
                assertThat(reply).isInstanceOf(Payload.SessionDeny.class);
                Payload.SessionDeny deny = (Payload.SessionDeny) reply;
                assertThat(deny.reason()).isEqualTo("busy");
                assertThat(deny.retryAfterSec()).isNotNull().isGreaterThan(0L);
                assertThat(deny.message()).contains("restarting");
            }

            FieldSpeedTest.Result result = speedTest.get(60, TimeUnit.SECONDS);
            assertThat(result.upload().bytesReceived()).isPositive();
            assertThat(result.download().bytesReceived()).isPositive();

            assertThat(serve.process.waitFor(DRAIN_SEC + 20, TimeUnit.SECONDS))
                    .as(serve.stderr())
                    .isTrue();
            long exitedAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sigterm);
            assertThat(serve.process.exitValue()).as(serve.stderr()).isZero();
            // Drained by the sessions' end, not by the timeout: well inside the drain period.
            assertThat(exitedAfterMs).isLessThan(DRAIN_SEC * 1000L);
            assertThat(serve.stderr()).contains("event=drain_finished").doesNotContain("event=drain_timed_out");

            List<JsonNode> audit = AuditLines.read(dir.resolve("state/audit.jsonl"));
            assertThat(audit)
                    .filteredOn(l -> l.path("event_type").asText().equals("session_completed"))
                    .hasSize(2);
            assertThat(audit)
                    .filteredOn(l -> l.path("event_type").asText().equals("session_denied"))
                    .extracting(l ->
                            l.path("peer_id").asText() + " " + l.path("reason").asText())
                    .containsExactly(latecomer.endpointId() + " draining for shutdown");
            System.out.printf(
                    "drain: speed test finished and the reflector exited %d ms after SIGTERM (drain period %d s)%n",
                    exitedAfterMs, DRAIN_SEC);
        }
    }

    private static HttpResponse<String> health(HttpClient http, ServeProcess serve) throws Exception {
        return http.send(
                HttpRequest.newBuilder(serve.healthUri())
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Polls {@code /health} (a probe's view) until it reports draining. */
    private static HttpResponse<String> awaitDraining(HttpClient http, ServeProcess serve, Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            HttpResponse<String> r = health(http, serve);
            if (r.statusCode() != 200 || System.nanoTime() > deadline) return r;
            Thread.sleep(20); // as a readiness probe polls; the process offers no event for it
        }
    }
}
