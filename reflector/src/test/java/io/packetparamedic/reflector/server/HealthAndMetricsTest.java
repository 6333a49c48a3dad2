package io.packetparamedic.reflector.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.reflector.client.LinkClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Spec section 11 and the Prometheus endpoint, over real HTTP. */
class HealthAndMetricsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Ed25519Identity appliance = Ed25519Identity.generate();

    @TempDir
    Path dir;

    private TestReflector server;

    @BeforeEach
    void start() throws IOException {
        server = TestReflector.start(
                dir, c -> c.access.authorizedPeers.add(appliance.endpointId().toString()));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> get(String path) throws Exception {
        URI uri = URI.create(
                "http://127.0.0.1:" + server.reflector.healthAddress().getPort() + path);
        return http.send(
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void healthAnswersStatusVersionAndLoad() throws Exception {
        HttpResponse<String> r = get("/health");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.path("status").asText()).isEqualTo("ok");
        assertThat(body.path("version").isTextual()).isTrue();
        assertThat(body.path("version").asText()).isNotBlank();
        assertThat(body.path("load").isNumber()).isTrue();
        assertThat(body.path("load").asDouble()).isGreaterThanOrEqualTo(0.0);
    }

    @Test
    void everyMetricIsDescribedInSecondsOrBytesAndTheBuildIsLabelled() throws Exception {
        server.reflector.openPairingWindow(Duration.ofMinutes(1), Optional.empty());
        String body = get("/metrics").body();
        java.util.List<String> help =
                body.lines().filter(l -> l.startsWith("# HELP ")).toList();
        assertThat(help).hasSizeGreaterThan(20);
        // "# HELP name text": a meter registered without a description prints nothing after its name.
        assertThat(help)
                .allSatisfy(l -> assertThat(l.split(" ", 4))
                        .as(l)
                        .hasSize(4)
                        .satisfies(parts -> assertThat(parts[3]).as(l).isNotBlank()));
        assertThat(body)
                .doesNotContainPattern("(?m)^[a-z_]*_(ns|nanos|nanoseconds|ms|millis|milliseconds)(_[a-z]+)?[{ ]");
        assertThat(body).containsPattern("(?m)^process_cpu_seconds_total [0-9.E]+$");
        assertThat(body)
                .containsPattern("(?m)^reflector_build_info\\{commit=\"[^\"]+\",java_version=\""
                        + java.util.regex.Pattern.quote(Runtime.version().toString())
                        + "\",version=\"[^\"]+\",?\\} 1(\\.0)?$");
    }

    @Test
    void metricsExposeTheControlPlaneCounters() throws Exception {
        try (LinkClient c = server.connect(appliance)) {
            c.hello();
        }
        try (LinkClient c = server.connect(Ed25519Identity.generate())) {
            c.hello();
        } catch (IOException denied) {
            // counted below
        }
        server.awaitAudit(TestReflector.event("connection_denied"));
        server.reflector.openPairingWindow(Duration.ofMinutes(1), Optional.empty());

        HttpResponse<String> r = get("/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("text/plain");
        assertThat(r.body())
                .containsPattern("reflector_connections_accepted_total\\{alpn=\"pp-link/1\"\\} 1.0")
                .containsPattern("reflector_connections_accepted_total\\{alpn=\"none\"\\} 0.0")
                .containsPattern("reflector_connections_denied_total\\{reason=\"unauthorized\"\\} 1.0")
                .containsPattern("reflector_authorization_decisions_total\\{decision=\"authorized\"\\} 1.0")
                .containsPattern("reflector_authorization_decisions_total\\{decision=\"unauthorized\"\\} 1.0")
                .contains("reflector_tls_handshake_failures_total")
                .contains("reflector_pairing_attempts_total 0.0")
                .contains("reflector_pairing_successes_total 0.0")
                .contains("reflector_connections_active")
                .contains("jvm_memory_used_bytes");
    }

    @Test
    void otherPathsAre404() throws Exception {
        assertThat(get("/").statusCode()).isEqualTo(404);
        assertThat(get("/healthz").statusCode()).isEqualTo(404);
        assertThat(get("/health").statusCode()).isEqualTo(200);
        assertThat(get("/livez").statusCode()).isEqualTo(200);
    }
}
