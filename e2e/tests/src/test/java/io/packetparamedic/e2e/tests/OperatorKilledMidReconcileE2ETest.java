package io.packetparamedic.e2e.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.packetparamedic.api.crd.Labels;
import io.packetparamedic.api.crd.ReflectorInstance;
import io.packetparamedic.e2e.harness.Await;
import io.packetparamedic.e2e.harness.KubeCluster;
import io.packetparamedic.e2e.harness.KubeTestCluster;
import io.packetparamedic.e2e.harness.RepoLayout;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 20 item 2, the operator's part: the operator is SIGKILLed in the middle of its first
 * reconcile of a ReflectorInstance (as soon as the generated identity Secret exists) and started
 * again. It converges — Deployment, config Secret, status with the Endpoint ID — without a
 * second copy of anything and without generating a new identity over the one already stored.
 */
@KubeCluster
@ExtendWith(OperatorExtension.class)
class OperatorKilledMidReconcileE2ETest {

    private static final String INSTANCE = "edge";
    private static final Map<String, String> OWNED = Map.of(Labels.MANAGED_BY, Labels.MANAGED_BY_OPERATOR);

    @Test
    void anOperatorKilledMidReconcileConvergesWithoutDuplicatesOrANewIdentity(KubeTestCluster cluster,
            OperatorExtension.Running operator) throws Exception {
        KubernetesClient admin = cluster.client();
        String ns = cluster.createNamespace("op-crash");
        cluster.kubectl("apply", "-n", ns, "-f",
                RepoLayout.requireRoot().resolve("config/samples/reflectorinstance.yaml").toString()).orThrow();

        Secret identityAtKill = Await.until(Duration.ofSeconds(60), "the generated identity Secret",
                () -> admin.secrets().inNamespace(ns).withName(INSTANCE + "-identity").get());
        boolean deploymentAtKill = admin.apps().deployments().inNamespace(ns).withName(INSTANCE + "-reflector").get() != null;
        operator.killAndRestart();

        Await.until(Duration.ofSeconds(90), "the Deployment from the restarted operator",
                () -> admin.apps().deployments().inNamespace(ns).withName(INSTANCE + "-reflector").get());
        Await.until(Duration.ofSeconds(60), "the config Secret",
                () -> admin.secrets().inNamespace(ns).withName(INSTANCE + "-config").get());
        ReflectorInstance converged = Await.until(Duration.ofSeconds(60), "status.endpointId", () -> {
            ReflectorInstance ri = admin.resources(ReflectorInstance.class).inNamespace(ns).withName(INSTANCE).get();
            return ri.getStatus() != null && ri.getStatus().endpointId != null ? ri : null;
        });

        Secret identity = admin.secrets().inNamespace(ns).withName(INSTANCE + "-identity").get();
        assertThat(identity.getMetadata().getUid()).as("the same Secret, not a replacement")
                .isEqualTo(identityAtKill.getMetadata().getUid());
        assertThat(identity.getData()).as("the key generated before the kill is kept").isEqualTo(identityAtKill.getData());
        assertThat(admin.apps().deployments().inNamespace(ns).withLabels(OWNED).list().getItems()).hasSize(1);
        assertThat(admin.serviceAccounts().inNamespace(ns).withLabels(OWNED).list().getItems()).hasSize(1);
        assertThat(admin.rbac().roles().inNamespace(ns).withLabels(OWNED).list().getItems()).hasSize(1);
        assertThat(admin.rbac().roleBindings().inNamespace(ns).withLabels(OWNED).list().getItems()).hasSize(1);
        assertThat(admin.secrets().inNamespace(ns).withLabels(OWNED).list().getItems())
                .extracting(s -> s.getMetadata().getName())
                .containsExactlyInAnyOrder(INSTANCE + "-identity", INSTANCE + "-config");
        System.out.printf("operator SIGKILLed mid-reconcile (Deployment existed at the kill: %s); converged after restart, "
                + "endpoint %s kept%n", deploymentAtKill, converged.getStatus().endpointId);
    }
}
