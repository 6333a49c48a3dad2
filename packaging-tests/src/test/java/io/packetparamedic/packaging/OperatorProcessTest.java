package io.packetparamedic.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.packetparamedic.api.config.ReflectorConfig;
import io.packetparamedic.e2e.harness.Await;
import io.packetparamedic.e2e.harness.KubeCluster;
import io.packetparamedic.e2e.harness.KubeTestCluster;
import io.packetparamedic.e2e.harness.OperatorProcess;
import io.packetparamedic.e2e.harness.Repo;
import io.packetparamedic.reflector.audit.AuditLog;
import io.packetparamedic.reflector.metrics.ReflectorMetrics;
import io.packetparamedic.reflector.session.SessionLayer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged operator as the chart runs it, with leader election and logFormat json, against
 * the harness's API server: its log is one JSON object per line; /q/metrics describes every
 * meter, labels the build, counts CPU in seconds and, with the reflector's, exports every metric
 * the chart's PrometheusRule reads; and SIGTERM hands its Lease to a waiting replica at once.
 */
@KubeCluster
class OperatorProcessTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The key set docs/observability.md#json-logs promises for the operator and the reflector alike. */
    private static final List<String> LOG_KEYS = List.of("timestamp", "level", "loggerName", "threadName", "message");

    @TempDir
    Path dir;

    @Test
    void jsonLogsMetricsAndALeaseReleasedOnSigterm(KubeTestCluster cluster) throws Exception {
        KubernetesClient admin = cluster.client();
        String operatorNs = cluster.createNamespace("pp-op-process");
        String watched = cluster.createNamespace("reflectors-op-process");
        Manifests chart = Packaging.helmTemplate(
                operatorNs,
                "--set",
                "watchNamespaces={" + watched + "}",
                "--set",
                "logFormat=json",
                "--set",
                "prometheusRule.enabled=true");
        String lease = HelmChartTest.env(chart, "PACKETPARAMEDIC_OPERATOR_LEASE_NAME");
        Map<String, String> env =
                OperatorRbacTest.containerEnv(chart.ofKind("Deployment").get(0), operatorNs);

        OperatorProcess first = start(env, "operator-a", cluster);
        OperatorProcess second = null;
        try {
            Await.until(
                    Duration.ofSeconds(90),
                    "operator-a holding the Lease\n" + first.logTail(),
                    () -> "operator-a".equals(holder(admin, operatorNs, lease)));
            cluster.kubectl(
                            "apply",
                            "--server-side",
                            "-n",
                            watched,
                            "-f",
                            Repo.path("config/samples/reflectorinstance.yaml").toString())
                    .orThrow();
            OperatorRbacTest.await(
                    admin,
                    watched,
                    "ReflectorInstance",
                    "edge",
                    status -> status.path("endpointId").asText().startsWith("PP-"));

            String metrics = Await.until(
                    Duration.ofSeconds(30),
                    "the instance's series on /q/metrics",
                    () -> scrape(first.managementPort()).contains("packetparamedic_reflector_ready{")
                            ? scrape(first.managementPort())
                            : null);
            assertEveryMeterIsDescribed(metrics);
            assertThat(metrics)
                    .containsPattern(
                            "(?m)^packetparamedic_operator_build_info\\{.*java_version=\"[^\"]+\".*\\} 1(\\.0)?$")
                    .containsPattern("(?m)^process_cpu_seconds_total [0-9.E]+$")
                    .containsPattern("(?m)^packetparamedic_reflector_ready\\{reflector=\"edge\",reflector_namespace=\""
                            + watched + "\",?\\} 0(\\.0)?$")
                    .containsPattern("(?m)^packetparamedic_pairing_windows_expired_unused_total [0-9.]+$")
                    .doesNotContainPattern("(?m)^[a-z_]*_(ns|nanos|nanoseconds)(_[a-z]+)?[{ ]");
            Set<String> exported = seriesNames(metrics);
            exported.addAll(seriesNames(reflectorScrape()));
            JsonNode rule = chart.one("PrometheusRule", lease);
            assertThat(PrometheusRules.metricNames(rule)).hasSizeGreaterThanOrEqualTo(5);
            assertThat(exported)
                    .as("series of a running operator and reflector")
                    .containsAll(PrometheusRules.metricNames(rule));

            second = start(env, "operator-b", cluster);
            OperatorProcess waiting = second;
            Await.until(
                    Duration.ofSeconds(90),
                    "operator-b waiting on the Lease\n" + waiting.logTail(),
                    () -> waiting.log().contains("leader_observed"));

            long stopped = System.nanoTime();
            first.close();
            assertThat(first.log()).contains("lease_released");
            Await.until(
                    Duration.ofSeconds(5),
                    "operator-b taking the released Lease within 5 s",
                    () -> "operator-b".equals(holder(admin, operatorNs, lease)));
            System.err.printf(
                    "[operator-process] Lease taken over %d ms after SIGTERM to its holder%n",
                    Duration.ofNanos(System.nanoTime() - stopped).toMillis());

            assertEveryLineIsAJsonEvent(first.log());
        } finally {
            first.close();
            if (second != null) {
                second.close();
            }
        }
    }

    private OperatorProcess start(Map<String, String> chartEnv, String podName, KubeTestCluster cluster) {
        Map<String, String> env = new HashMap<>(chartEnv);
        env.put("POD_NAME", podName);
        return OperatorProcess.start(cluster.kubeconfigPath(), env, dir.resolve(podName + ".log"));
    }

    private static String holder(KubernetesClient admin, String namespace, String name) {
        Lease lease = admin.leases().inNamespace(namespace).withName(name).get();
        return lease == null ? null : lease.getSpec().getHolderIdentity();
    }

    private static String scrape(int port) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/metrics"))
                                    .timeout(Duration.ofSeconds(10))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? r.body() : "";
        } catch (Exception e) {
            return "";
        }
    }

    /** What a reflector's GET /metrics serves: its registry with the session layer bound, as Reflector binds it. */
    private String reflectorScrape() throws Exception {
        ReflectorMetrics metrics = new ReflectorMetrics();
        ReflectorConfig config = new ReflectorConfig();
        config.identity.privateKeyPath = dir.resolve("identity.ed25519").toString();
        try (AuditLog audit = new AuditLog(dir.resolve("audit.jsonl"), "operator-process-test");
                SessionLayer sessions = SessionLayer.create(() -> config, audit, false)) {
            sessions.manager().bindTo(metrics.registry());
            return metrics.scrape();
        } finally {
            metrics.close();
        }
    }

    static Set<String> seriesNames(String exposition) {
        Set<String> names = new TreeSet<>();
        exposition
                .lines()
                .filter(l -> !l.startsWith("#") && !l.isBlank())
                .forEach(l -> names.add(l.split("[{ ]", 2)[0]));
        return names;
    }

    /** No "# HELP name" without text: every meter has a description. */
    static void assertEveryMeterIsDescribed(String exposition) {
        List<String> help =
                exposition.lines().filter(l -> l.startsWith("# HELP ")).toList();
        assertThat(help).hasSizeGreaterThan(10);
        assertThat(help)
                .allSatisfy(l -> assertThat(l.split(" ", 4))
                        .as(l)
                        .hasSize(4)
                        .satisfies(parts -> assertThat(parts[3]).as(l).isNotBlank()));
    }

    private static void assertEveryLineIsAJsonEvent(String log) throws Exception {
        List<String> lines = log.lines().filter(l -> !l.isBlank()).toList();
        assertThat(lines).hasSizeGreaterThan(3);
        for (String line : lines) {
            JsonNode event = JSON.readTree(line);
            for (String key : LOG_KEYS) {
                assertThat(event.path(key).isTextual())
                        .as("%s in %s", key, line)
                        .isTrue();
            }
            assertThat(OffsetDateTime.parse(event.path("timestamp").asText())
                            .getOffset()
                            .getTotalSeconds())
                    .isZero();
            assertThat(event.path("mdc").isObject()).as("mdc in %s", line).isTrue();
        }
        assertThat(lines).anyMatch(l -> l.contains("event=leadership_acquired"));
    }
}
