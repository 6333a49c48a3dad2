package io.packetparamedic.e2e.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.packetparamedic.api.crd.Labels;
import io.packetparamedic.api.crd.ReflectorInstance;
import io.packetparamedic.e2e.harness.Await;
import io.packetparamedic.e2e.harness.KubeCluster;
import io.packetparamedic.e2e.harness.KubeTestCluster;
import io.packetparamedic.e2e.harness.RepoLayout;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 20 item 2, the operator's part: the operator is SIGKILLed in the middle of its first
 * reconcile of a ReflectorInstance — from the watch event of a Secret it has just written — and
 * started again. It converges (Deployment, config Secret, status with the Endpoint ID) without a
 * second copy of anything, and an identity generated before the kill is kept, not replaced.
 */
@KubeCluster
@ExtendWith(OperatorExtension.class)
class OperatorKilledMidReconcileE2ETest {

    private static final String INSTANCE = "edge";
    private static final Map<String, String> OWNED = Map.of(Labels.MANAGED_BY, Labels.MANAGED_BY_OPERATOR);

    @Test
    void killedAtItsFirstWriteTheOperatorConvergesWithoutDuplicates(
            KubeTestCluster cluster, OperatorExtension.Running operator) throws Exception {
        killMidReconcileAndConverge(cluster, operator, "op-crash-first", name -> true);
    }

    @Test
    void killedRightAfterGeneratingTheIdentityTheOperatorKeepsIt(
            KubeTestCluster cluster, OperatorExtension.Running operator) throws Exception {
        Secret atKill = killMidReconcileAndConverge(
                cluster, operator, "op-crash-identity", name -> name.equals(INSTANCE + "-identity"));
        assertThat(atKill).as("the identity existed at the kill").isNotNull();
    }

    /** Returns the identity Secret as it was at the kill (null if not yet written). */
    private static Secret killMidReconcileAndConverge(
            KubeTestCluster cluster,
            OperatorExtension.Running operator,
            String namespacePrefix,
            Predicate<String> killOn)
            throws Exception {
        KubernetesClient admin = cluster.client();
        String ns = cluster.createNamespace(namespacePrefix);
        CompletableFuture<String> killedAt = new CompletableFuture<>();
        try (Watch watch = admin.secrets().inNamespace(ns).watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, Secret secret) {
                if (action != Action.ADDED
                        || killedAt.isDone()
                        || !killOn.test(secret.getMetadata().getName())) return;
                try {
                    operator.kill();
                    killedAt.complete(secret.getMetadata().getName());
                } catch (InterruptedException | RuntimeException e) {
                    killedAt.completeExceptionally(e);
                }
            }

            @Override
            public void onClose(WatcherException cause) {
                if (cause != null) killedAt.completeExceptionally(cause);
            }
        })) {
            ReflectorInstance sample = admin.resources(ReflectorInstance.class)
                    .load(RepoLayout.requireRoot()
                            .resolve("config/samples/reflectorinstance.yaml")
                            .toFile())
                    .item();
            sample.getMetadata().setNamespace(ns);
            admin.resource(InstancePorts.next(10).applyTo(sample)).create();
            killedAt.get(60, TimeUnit.SECONDS);
        }
        Secret identityAtKill =
                admin.secrets().inNamespace(ns).withName(INSTANCE + "-identity").get();
        boolean deploymentAtKill = admin.apps()
                        .deployments()
                        .inNamespace(ns)
                        .withName(INSTANCE + "-reflector")
                        .get()
                != null;
        ReflectorInstance atKill = admin.resources(ReflectorInstance.class)
                .inNamespace(ns)
                .withName(INSTANCE)
                .get();
        boolean statusAtKill = atKill.getStatus() != null && atKill.getStatus().endpointId != null;
        operator.restart();

        Await.until(
                Duration.ofSeconds(90),
                "the Deployment from the restarted operator",
                () -> admin.apps()
                        .deployments()
                        .inNamespace(ns)
                        .withName(INSTANCE + "-reflector")
                        .get());
        ReflectorInstance converged = Await.until(Duration.ofSeconds(60), "status.endpointId", () -> {
            ReflectorInstance ri = admin.resources(ReflectorInstance.class)
                    .inNamespace(ns)
                    .withName(INSTANCE)
                    .get();
            return ri.getStatus() != null && ri.getStatus().endpointId != null ? ri : null;
        });

        Secret identity =
                admin.secrets().inNamespace(ns).withName(INSTANCE + "-identity").get();
        if (identityAtKill != null) {
            assertThat(identity.getMetadata().getUid())
                    .as("the same Secret, not a replacement")
                    .isEqualTo(identityAtKill.getMetadata().getUid());
            assertThat(identity.getData())
                    .as("the key generated before the kill is kept")
                    .isEqualTo(identityAtKill.getData());
        }
        assertThat(admin.apps()
                        .deployments()
                        .inNamespace(ns)
                        .withLabels(OWNED)
                        .list()
                        .getItems())
                .hasSize(1);
        assertThat(admin.serviceAccounts()
                        .inNamespace(ns)
                        .withLabels(OWNED)
                        .list()
                        .getItems())
                .hasSize(1);
        assertThat(admin.rbac().roles().inNamespace(ns).withLabels(OWNED).list().getItems())
                .hasSize(1);
        assertThat(admin.rbac()
                        .roleBindings()
                        .inNamespace(ns)
                        .withLabels(OWNED)
                        .list()
                        .getItems())
                .hasSize(1);
        assertThat(admin.secrets().inNamespace(ns).withLabels(OWNED).list().getItems())
                .extracting(s -> s.getMetadata().getName())
                .containsExactlyInAnyOrder(INSTANCE + "-identity", INSTANCE + "-config");
        System.out.printf(
                "operator SIGKILLed mid-reconcile in %s (at the kill: identity %s, Deployment %s, status %s);"
                        + " converged with %s%n",
                ns,
                identityAtKill != null ? "written" : "not yet written",
                deploymentAtKill ? "present" : "absent",
                statusAtKill ? "written" : "not yet written",
                converged.getStatus().endpointId);
        return identityAtKill;
    }
}
