package io.packetparamedic.e2e.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.packetparamedic.api.crd.AuthorizedPeer;
import io.packetparamedic.api.crd.PairingWindow;
import io.packetparamedic.api.crd.ReflectorInstance;
import io.packetparamedic.api.crd.ReflectorInstanceStatus;
import io.packetparamedic.e2e.harness.Await;
import io.packetparamedic.e2e.harness.KubectlResult;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/** The instance's status from the reflector's heartbeat, and what the reflector's own ServiceAccount may do. */
class KubernetesModeStatusE2ETest extends KubernetesModeFixture {

    @Test
    @Order(1)
    void instanceBecomesReadyWithTheEndpointIdTheReflectorPrintsAndAHeartbeat() throws Exception {
        assertThat(reflector.endpointId()).startsWith("PP-");
        ReflectorInstance ready = Await.until(Duration.ofSeconds(30), "instance Ready", () -> {
            ReflectorInstance ri = instance();
            return ri.getStatus() != null && isTrue(ri.getStatus().conditions, "Ready") ? ri : null;
        });
        ReflectorInstanceStatus s = ready.getStatus();
        assertThat(s.endpointId).isEqualTo(reflector.endpointId());
        assertThat(s.reportedEndpointId).isEqualTo(reflector.endpointId());
        assertThat(s.phase).isEqualTo(ReflectorInstanceStatus.Phase.Ready);
        assertThat(Instant.parse(s.lastHeartbeat)).isAfter(Instant.now().minusSeconds(30));
        assertThat(s.node).isEqualTo(ReflectorPod.NODE);
        assertThat(s.advertisedAddress).isEqualTo("192.0.2.10");
        assertThat(s.activeSessionCount).isZero();

        // The heartbeat moves on while nothing else changes (at least every 30 s; 10 s here).
        Instant first = Instant.parse(s.lastHeartbeat);
        Await.until(
                Duration.ofSeconds(30),
                "a newer heartbeat",
                () -> Instant.parse(instance().getStatus().lastHeartbeat).isAfter(first));

        KubectlResult get = cluster.kubectl("get", "reflectors", "-n", ns).orThrow();
        Map<String, String> row = get.tableRow(INSTANCE);
        assertThat(row).containsEntry("READY", "True");
        // The default view shows the short Endpoint ID, -o wide the full one.
        assertThat(row.get("ENDPOINT ID")).startsWith("PP-");
        assertThat(reflector.endpointId()).startsWith(row.get("ENDPOINT ID").replace("…", ""));
        assertThat(cluster.kubectl("get", "reflectors", "-n", ns, "-o", "wide")
                        .orThrow()
                        .stdout())
                .contains(reflector.endpointId());
    }

    @Test
    @Order(2)
    void theReflectorsServiceAccountCannotReadOtherSecretsNorChangeAnySpec() {
        // A peer and a window that exist, so that a refusal below is the account's rights (403), not
        // a missing object (404).
        cluster.kubectlWithInput(new Appliance().authorizedPeerYaml("tester", INSTANCE), "apply", "-n", ns, "-f", "-")
                .orThrow();
        applyPairingWindow("short", "3s");
        admin.secrets()
                .inNamespace(ns)
                .resource(new SecretBuilder()
                        .withNewMetadata()
                        .withName("unrelated")
                        .endMetadata()
                        .addToStringData("password", "hunter2")
                        .build())
                .create();
        KubernetesClient sa = cluster.clientForServiceAccount(ns, DEPLOYMENT);

        assertThat(sa.secrets().inNamespace(ns).withName(INSTANCE + "-config").get())
                .isNotNull();
        assertForbidden(() -> sa.secrets().inNamespace(ns).withName("unrelated").get());
        assertForbidden(() -> sa.secrets().inNamespace(ns).list());
        assertForbidden(() -> sa.resources(ReflectorInstance.class)
                .inNamespace(ns)
                .withName(INSTANCE)
                .edit(ri -> {
                    ri.getSpec().logLevel = io.packetparamedic.api.crd.ReflectorInstanceSpec.LogLevel.debug;
                    return ri;
                }));
        assertForbidden(() -> sa.resources(AuthorizedPeer.class)
                .inNamespace(ns)
                .withName("tester")
                .edit(p -> {
                    p.getSpec().disabled = true;
                    return p;
                }));
        assertForbidden(() -> sa.resources(PairingWindow.class)
                .inNamespace(ns)
                .withName("short")
                .delete());
    }

    private static void assertForbidden(Runnable action) {
        assertThatThrownBy(action::run)
                .isInstanceOfSatisfying(
                        KubernetesClientException.class,
                        e -> assertThat(e.getCode()).isEqualTo(403));
    }
}
