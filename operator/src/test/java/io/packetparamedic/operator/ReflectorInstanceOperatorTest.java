package io.packetparamedic.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.packetparamedic.api.config.ReflectorConfig;
import io.packetparamedic.api.crd.Labels;
import io.packetparamedic.api.crd.ReflectorInstance;
import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.e2e.harness.Await;
import io.packetparamedic.e2e.harness.KubeCluster;
import io.packetparamedic.e2e.harness.KubeTestCluster;
import io.packetparamedic.e2e.harness.KubectlResult;
import io.packetparamedic.e2e.harness.TestNamespace;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The ReflectorInstance controller against the harness's real API server and garbage collector. */
@KubeCluster
class ReflectorInstanceOperatorTest {

    static final Duration TIMEOUT = Duration.ofSeconds(60);

    @Test
    void sampleConvergesAndIsStableAcrossReconcilesAndRestarts(KubeTestCluster cluster, TestNamespace ns)
            throws InterruptedException {
        KubernetesClient client = cluster.client();
        String n = ns.name();
        ReflectorInstance applied;
        ReflectorInstance converged;
        var operator = new TestOperator(cluster.adminConfig(), n);
        try {
            applied = client.resource(Fixtures.sample(client, "reflectorinstance.yaml", ReflectorInstance.class, n))
                    .create();
            converged = awaitConverged(client, applied);

            // Identity: 32 bytes whose Endpoint ID is the one in status and on the Secret.
            Secret identity =
                    client.secrets().inNamespace(n).withName("edge-identity").get();
            byte[] seed = Fixtures.data(identity, Labels.IDENTITY_KEY);
            assertThat(seed).hasSize(32);
            String derived = Ed25519Identity.fromSeed(seed).endpointId().toString();
            assertThat(converged.getStatus().endpointId).isEqualTo(derived);
            assertThat(identity.getMetadata().getAnnotations()).containsEntry(Labels.ENDPOINT_ID_ANNOTATION, derived);

            // Config: the reflector's own loader accepts it and it says what the spec says.
            ReflectorConfig config = Fixtures.config(client, n, "edge-config");
            assertThat(config.quotas.maxTestsPerHourPerPeer).isEqualTo(6);
            assertThat(config.quotas.maxBytesPerDayPerPeer).isEqualTo(200_000_000_000L);
            assertThat(config.network.requireAlpn).isFalse();
            assertThat(config.quotas.maxConcurrentTests).isEqualTo(2);
            assertThat(config.network.mode).isEqualTo("direct_ephemeral");
            assertThat(config.network.listenAddress).isEqualTo("0.0.0.0:4000");
            assertThat(config.network.advertisedAddress).isEqualTo("192.0.2.10");
            assertThat(config.access.pairingEnabled).isFalse();

            // RBAC.
            assertThat(client.serviceAccounts()
                            .inNamespace(n)
                            .withName("edge-reflector")
                            .get())
                    .isNotNull();
            Role role = client.rbac()
                    .roles()
                    .inNamespace(n)
                    .withName("edge-reflector")
                    .get();
            // No peers or windows yet: no status rule for them (empty resourceNames would mean all).
            assertThat(role.getRules())
                    .extracting(r -> String.join(",", r.getResources()))
                    .containsExactly("secrets", "authorizedpeers", "reflectorinstances/status");
            assertThat(role.getRules().get(0).getResourceNames()).containsExactly("edge-identity", "edge-config");
            assertThat(role.getRules().get(2).getResourceNames()).containsExactly("edge");
            RoleBinding binding = client.rbac()
                    .roleBindings()
                    .inNamespace(n)
                    .withName("edge-reflector")
                    .get();
            assertThat(binding.getSubjects().get(0).getName()).isEqualTo("edge-reflector");

            // Deployment.
            Deployment d = client.apps()
                    .deployments()
                    .inNamespace(n)
                    .withName("edge-reflector")
                    .get();
            assertThat(d.getSpec().getReplicas()).isEqualTo(1);
            assertThat(d.getSpec().getStrategy().getType()).isEqualTo("Recreate");
            var pod = d.getSpec().getTemplate().getSpec();
            assertThat(pod.getHostNetwork()).isTrue();
            assertThat(pod.getDnsPolicy()).isEqualTo("ClusterFirstWithHostNet");
            assertThat(pod.getServiceAccountName()).isEqualTo("edge-reflector");
            assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
            var c = pod.getContainers().get(0);
            assertThat(c.getArgs()).containsExactly("serve", "--instance", n + "/edge");
            assertThat(c.getImage()).isEqualTo(OperatorSettings.DEFAULT_IMAGE);
            assertThat(c.getPorts())
                    .extracting(p -> p.getName() + ":" + p.getContainerPort())
                    .containsExactly("control:4000", "health:7301");
            assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/health");
            assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/livez");
            assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
            assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
            assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
            assertThat(c.getResources().getRequests().get("cpu").toString()).isEqualTo("100m");
            assertThat(c.getResources().getLimits().get("memory").toString()).isEqualTo("512Mi");
            assertThat(c.getEnv())
                    .extracting(e -> e.getName())
                    .contains("POD_NAME", "POD_NAMESPACE", "NODE_NAME", "HOST_IP");
            assertThat(c.getEnv())
                    .filteredOn(e -> e.getName().equals("HOST_IP"))
                    .extracting(e -> e.getValueFrom().getFieldRef().getFieldPath())
                    .containsExactly("status.hostIP");
            // Owner references, for the garbage collector.
            for (HasMetadata owned : owned(client, n)) {
                assertThat(owned.getMetadata().getOwnerReferences())
                        .as(owned.getKind())
                        .anySatisfy(o -> assertThat(o.getUid())
                                .isEqualTo(applied.getMetadata().getUid()));
            }
            // Until the pod reports, the instance is Progressing, not Ready.
            assertThat(condition(converged, "Ready")).isEqualTo("False");
            assertThat(condition(converged, "Progressing")).isEqualTo("True");
            assertThat(condition(converged, "IdentityReady")).isEqualTo("True");

            // A second reconcile (any event) changes nothing.
            Map<String, String> before = versions(client, n);
            int count = operator.reconciliations(converged);
            client.resources(ReflectorInstance.class)
                    .inNamespace(n)
                    .withName("edge")
                    .edit(r -> {
                        r.getMetadata().getAnnotations().put("touch", "1");
                        return r;
                    });
            Await.until(TIMEOUT, "another reconcile", () -> operator.reconciliations(converged) > count);
            assertThat(versions(client, n)).isEqualTo(before);
        } finally {
            operator.close();
        }

        // An operator restart: new caches, everything reconciled again, nothing changes.
        Map<String, String> before = versions(client, n);
        ReflectorInstance current = client.resources(ReflectorInstance.class)
                .inNamespace(n)
                .withName("edge")
                .get();
        try (var restarted = new TestOperator(cluster.adminConfig(), n)) {
            Await.until(TIMEOUT, "reconcile after restart", () -> restarted.reconciliations(current) > 0);
            assertThat(versions(client, n)).isEqualTo(before);
            ReflectorInstance afterRestart = client.resources(ReflectorInstance.class)
                    .inNamespace(n)
                    .withName("edge")
                    .get();
            assertThat(afterRestart.getMetadata().getResourceVersion())
                    .as(
                            "instance unchanged by the restart; before:%n%s%nafter:%n%s",
                            client.getKubernetesSerialization().asYaml(current),
                            client.getKubernetesSerialization().asYaml(afterRestart))
                    .isEqualTo(current.getMetadata().getResourceVersion());

            // The pod reports; the operator turns that into Ready without touching the pod's fields.
            String heartbeat = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
            Fixtures.reportHeartbeat(client, current, current.getStatus().endpointId, heartbeat);
            ReflectorInstance ready = Await.until(TIMEOUT, "Ready=True", () -> {
                var r = client.resources(ReflectorInstance.class)
                        .inNamespace(n)
                        .withName("edge")
                        .get();
                return "True".equals(condition(r, "Ready")) ? r : null;
            });
            assertThat(ready.getStatus().lastHeartbeat).isEqualTo(heartbeat);
            assertThat(ready.getStatus().activeSessionCount).isEqualTo(1);
            assertThat(ready.getStatus().activeSessions).hasSize(1);
            assertThat(ready.getStatus().phase)
                    .as("%s", ready.getStatus().conditions)
                    .hasToString("Ready");
            assertThat(ready.getStatus().address).isEqualTo("192.0.2.10:4000");

            // kubectl get reflectors prints the printer columns with the real values.
            KubectlResult get = cluster.kubectl("get", "reflectors", "-n", n).orThrow();
            String header = get.stdout().lines().findFirst().orElse("");
            assertThat(header).contains("NAME", "ENDPOINT ID", "READY", "REASON", "ADDRESS", "PEERS", "ACTIVE", "AGE");
            assertThat(get.stdout()).contains("edge", "True", "192.0.2.10:4000");
            String row = get.stdout().lines().skip(1).findFirst().orElse("");
            // Column by column: the header names each value's column.
            Map<String, String> cells = cells(header, row);
            // The columns in issue 5's order (CRD declaration order, not the generator's JSON-path sort).
            assertThat(cells.keySet())
                    .as("kubectl get reflectors header: %s", header)
                    .containsExactly("NAME", "ENDPOINT ID", "READY", "REASON", "ADDRESS", "PEERS", "ACTIVE", "AGE");
            // The default view has the short Endpoint ID; the full one is in -o wide (issue 14).
            assertThat(cells)
                    .containsEntry("NAME", "edge")
                    .containsEntry("ENDPOINT ID", ready.getStatus().shortEndpointId)
                    .containsEntry("READY", "True")
                    .containsEntry("ADDRESS", "192.0.2.10:4000")
                    .containsEntry("PEERS", "0")
                    .containsEntry("ACTIVE", "1")
                    .containsKey("AGE");
            assertThat(cells.get("ENDPOINT ID")).startsWith("PP-");
            assertThat(ready.getStatus().endpointId)
                    .startsWith(cells.get("ENDPOINT ID").replace("…", ""));
            assertThat(cluster.kubectl("get", "reflectors", "-n", n, "-o", "wide")
                            .orThrow()
                            .stdout())
                    .contains(ready.getStatus().endpointId);
        }
    }

    @Test
    void quotaChangeRewritesOnlyTheConfigSecret(KubeTestCluster cluster, TestNamespace ns) throws InterruptedException {
        KubernetesClient client = cluster.client();
        String n = ns.name();
        try (var operator = new TestOperator(cluster.adminConfig(), n)) {
            ReflectorInstance applied = client.resource(
                            Fixtures.sample(client, "reflectorinstance.yaml", ReflectorInstance.class, n))
                    .create();
            awaitConverged(client, applied);
            Map<String, String> before = versions(client, n);

            client.resources(ReflectorInstance.class)
                    .inNamespace(n)
                    .withName("edge")
                    .edit(r -> {
                        r.getSpec().quotas.maxTestsPerHourPerPeer = 3;
                        return r;
                    });
            Await.until(
                    TIMEOUT,
                    "config with the new quota",
                    () -> Fixtures.config(client, n, "edge-config").quotas.maxTestsPerHourPerPeer == 3);
            Map<String, String> after = versions(client, n);
            assertThat(after.get("Secret/edge-config")).isNotEqualTo(before.get("Secret/edge-config"));
            after.remove("Secret/edge-config");
            before.remove("Secret/edge-config");
            assertThat(after).isEqualTo(before);
        }
    }

    @Test
    void deletingTheInstanceRemovesWhatItOwns(KubeTestCluster cluster, TestNamespace ns) throws InterruptedException {
        KubernetesClient client = cluster.client();
        String n = ns.name();
        try (var operator = new TestOperator(cluster.adminConfig(), n)) {
            ReflectorInstance applied = client.resource(
                            Fixtures.sample(client, "reflectorinstance.yaml", ReflectorInstance.class, n))
                    .create();
            awaitConverged(client, applied);
            assertThat(owned(client, n)).hasSize(6);
            client.resource(applied).delete();
            Await.until(
                    TIMEOUT,
                    "the garbage collector to remove the owned objects",
                    () -> owned(client, n).isEmpty());
        }
    }

    @Test
    void theReflectorsRoleIsLeastPrivilege(KubeTestCluster cluster, TestNamespace ns) throws InterruptedException {
        KubernetesClient client = cluster.client();
        String n = ns.name();
        try (var operator = new TestOperator(cluster.adminConfig(), n)) {
            ReflectorInstance applied = client.resource(
                            Fixtures.sample(client, "reflectorinstance.yaml", ReflectorInstance.class, n))
                    .create();
            awaitConverged(client, applied);
            client.secrets()
                    .inNamespace(n)
                    .resource(new SecretBuilder()
                            .withNewMetadata()
                            .withName("someone-else")
                            .endMetadata()
                            .addToStringData("k", "v")
                            .build())
                    .create();

            KubernetesClient pod = cluster.clientForServiceAccount(n, "edge-reflector");
            assertThat(pod.secrets()
                            .inNamespace(n)
                            .withName("edge-config")
                            .get()
                            .getData())
                    .containsKey(Labels.CONFIG_KEY);
            assertThat(pod.secrets()
                            .inNamespace(n)
                            .withName("edge-identity")
                            .get()
                            .getData())
                    .containsKey(Labels.IDENTITY_KEY);
            assertThat(pod.resources(io.packetparamedic.api.crd.AuthorizedPeer.class)
                            .inNamespace(n)
                            .list()
                            .getItems())
                    .isEmpty();
            assertForbidden(
                    () -> pod.secrets().inNamespace(n).withName("someone-else").get());
            assertForbidden(() -> pod.secrets().inNamespace(n).list());
            assertForbidden(() -> pod.resources(ReflectorInstance.class)
                    .inNamespace(n)
                    .withName("edge")
                    .edit(r -> {
                        r.getSpec().logLevel = io.packetparamedic.api.crd.ReflectorInstanceSpec.LogLevel.debug;
                        return r;
                    }));
            assertForbidden(() -> pod.apps()
                    .deployments()
                    .inNamespace(n)
                    .withName("edge-reflector")
                    .get());
            // What it is for: reporting its status.
            Fixtures.reportHeartbeat(
                    pod,
                    applied,
                    "PP-0000",
                    Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        }
    }

    /** Splits a kubectl table row by the header's column starts. */
    static Map<String, String> cells(String header, String row) {
        Map<String, String> cells = new LinkedHashMap<>();
        var m = java.util.regex.Pattern.compile("\\S+( \\S+)*").matcher(header);
        List<int[]> spans = new java.util.ArrayList<>();
        List<String> names = new java.util.ArrayList<>();
        while (m.find()) {
            spans.add(new int[] {m.start()});
            names.add(m.group());
        }
        for (int i = 0; i < spans.size(); i++) {
            int from = spans.get(i)[0];
            int to = i + 1 < spans.size() ? spans.get(i + 1)[0] : row.length();
            cells.put(
                    names.get(i),
                    from >= row.length()
                            ? ""
                            : row.substring(from, Math.min(to, row.length())).strip());
        }
        return cells;
    }

    static void assertForbidden(Runnable call) {
        assertThatThrownBy(call::run)
                .isInstanceOfSatisfying(
                        KubernetesClientException.class,
                        e -> assertThat(e.getCode()).isEqualTo(403));
    }

    static ReflectorInstance awaitConverged(KubernetesClient client, ReflectorInstance applied)
            throws InterruptedException {
        String n = applied.getMetadata().getNamespace();
        String name = applied.getMetadata().getName();
        return Await.until(TIMEOUT, "instance " + name + " to converge", () -> {
            var r = client.resources(ReflectorInstance.class)
                    .inNamespace(n)
                    .withName(name)
                    .get();
            boolean done = r.getStatus() != null
                    && r.getStatus().endpointId != null
                    && owned(client, n).size() == 6
                    && "True".equals(condition(r, "IdentityReady"))
                    && "AwaitingHeartbeat".equals(reason(r, "Ready"))
                    // The digest of the config Secret as it is: the status write after the Secret's creation is done.
                    && Fixtures.digestOfConfig(client, n, name + "-config").equals(r.getStatus().configHash);
            return done ? r : null;
        });
    }

    static String condition(ReflectorInstance r, String type) {
        return Conditions.find(r.getStatus().conditions, type)
                .map(c -> c.getStatus())
                .orElse(null);
    }

    static String reason(ReflectorInstance r, String type) {
        return r.getStatus() == null
                ? null
                : Conditions.find(r.getStatus().conditions, type)
                        .map(c -> c.getReason())
                        .orElse(null);
    }

    /** The six objects an instance owns, those that exist. */
    static List<HasMetadata> owned(KubernetesClient client, String n) {
        return java.util.stream.Stream.<HasMetadata>of(
                        client.secrets()
                                .inNamespace(n)
                                .withName("edge-identity")
                                .get(),
                        client.secrets().inNamespace(n).withName("edge-config").get(),
                        client.serviceAccounts()
                                .inNamespace(n)
                                .withName("edge-reflector")
                                .get(),
                        client.rbac()
                                .roles()
                                .inNamespace(n)
                                .withName("edge-reflector")
                                .get(),
                        client.rbac()
                                .roleBindings()
                                .inNamespace(n)
                                .withName("edge-reflector")
                                .get(),
                        client.apps()
                                .deployments()
                                .inNamespace(n)
                                .withName("edge-reflector")
                                .get())
                .filter(java.util.Objects::nonNull)
                .toList();
    }

    static Map<String, String> versions(KubernetesClient client, String n) {
        Map<String, String> v = new LinkedHashMap<>();
        for (HasMetadata r : owned(client, n))
            v.put(r.getKind() + "/" + r.getMetadata().getName(), r.getMetadata().getResourceVersion());
        return v;
    }
}
