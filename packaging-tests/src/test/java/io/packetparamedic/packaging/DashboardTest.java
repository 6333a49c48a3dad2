package io.packetparamedic.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.packetparamedic.api.config.ReflectorConfig;
import io.packetparamedic.e2e.harness.Repo;
import io.packetparamedic.reflector.audit.AuditLog;
import io.packetparamedic.reflector.metrics.ReflectorMetrics;
import io.packetparamedic.reflector.session.SessionLayer;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Grafana dashboard is well-formed and queries metrics the reflector really exports. */
class DashboardTest {

    private static final Pattern METRIC = Pattern.compile("\\b(reflector_[a-z_]+|jvm_[a-z_]+)\\b");

    static JsonNode dashboard() throws Exception {
        return new ObjectMapper()
                .readTree(Repo.path("config/monitoring/grafana-dashboard.json").toFile());
    }

    @Test
    void panelsHaveUniqueIdsAndEveryQueryPanelHasQueries() throws Exception {
        JsonNode d = dashboard();
        assertThat(d.path("uid").asText()).isEqualTo("packetparamedic-reflector");
        Set<Integer> ids = new HashSet<>();
        int queries = 0;
        for (JsonNode panel : d.path("panels")) {
            assertThat(ids.add(panel.path("id").asInt()))
                    .as("unique id %s", panel.path("id"))
                    .isTrue();
            if (!"row".equals(panel.path("type").asText())) {
                assertThat(panel.path("targets").size())
                        .as("targets of %s", panel.path("title"))
                        .isPositive();
                for (JsonNode t : panel.path("targets")) {
                    assertThat(t.path("expr").asText()).isNotBlank();
                    queries++;
                }
            }
        }
        assertThat(queries).isGreaterThan(10);
        assertThat(d.toString())
                .contains(
                        "reflector_tls_handshake_failures_total",
                        "reflector_connections_denied_total",
                        "reflector_session_bytes_total",
                        "reflector_sessions_denied_total");
    }

    @Test
    void everyReflectorMetricTheDashboardQueriesIsExported(@TempDir Path dir) throws Exception {
        ReflectorMetrics metrics = new ReflectorMetrics();
        ReflectorConfig config = new ReflectorConfig();
        config.identity.privateKeyPath = dir.resolve("identity.ed25519").toString();
        try (AuditLog audit = new AuditLog(dir.resolve("audit.jsonl"), "dashboard-test");
                SessionLayer sessions = SessionLayer.create(() -> config, audit, false)) {
            // The session layer's meters, bound the way Reflector binds them.
            sessions.manager().bindTo(metrics.registry());
            // Labelled counters appear in a scrape once used.
            metrics.connectionDenied("unauthorized");
            metrics.handshakeFailure("timeout");
            metrics.authorizationDecision("authorized");
            metrics.protocolError(400);
            metrics.pairingAttempt(true);
            metrics.connectionAccepted("pp-link/1");
            Set<String> exported = OperatorProcessTest.seriesNames(metrics.scrape());
            Set<String> queried = new TreeSet<>();
            Matcher m = METRIC.matcher(dashboard().toString());
            while (m.find()) {
                queried.add(m.group(1));
            }
            assertThat(queried).isNotEmpty();
            assertThat(exported).as("metrics the reflector exports").containsAll(queried);
        } finally {
            metrics.close();
        }
    }
}
