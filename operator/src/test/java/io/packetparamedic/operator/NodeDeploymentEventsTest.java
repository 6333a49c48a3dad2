package io.packetparamedic.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.packetparamedic.api.crd.Labels;
import io.packetparamedic.api.crd.ReflectorInstance;
import io.packetparamedic.e2e.harness.Await;
import io.packetparamedic.e2e.harness.KubeCluster;
import io.packetparamedic.e2e.harness.KubeTestCluster;
import io.packetparamedic.e2e.harness.TestNamespace;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Which per-node Deployment updates reconcile their fleet ({@link NodeDeploymentChange}): not
 * the Deployment controller's status writes, but every change to what the operator applied,
 * which it then restores.
 */
@KubeCluster
class NodeDeploymentEventsTest {

    static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final NodeDeploymentChange filter = new NodeDeploymentChange();
    private final List<String> nodes = new ArrayList<>();
    private KubernetesClient client;

    static Deployment deployment() {
        return new DeploymentBuilder()
                .withNewMetadata()
                .withName("fleet-reflector-a")
                .withGeneration(1L)
                .withResourceVersion("100")
                .withLabels(Map.of("app", "reflector"))
                .withAnnotations(Map.of(Labels.NODE, "a"))
                .endMetadata()
                .withNewSpec()
                .withReplicas(1)
                .endSpec()
                .build();
    }

    @Test
    void statusWritesPassNotButSpecLabelAnnotationAndDeletionChangesDo() {
        Deployment old = deployment();

        Deployment status = new DeploymentBuilder(old)
                .editMetadata()
                .withResourceVersion("101")
                .endMetadata()
                .withNewStatus()
                .withObservedGeneration(1L)
                .withReplicas(1)
                .withUnavailableReplicas(1)
                .withConditions(new DeploymentConditionBuilder()
                        .withType("Progressing")
                        .withStatus("True")
                        .withReason("ReplicaSetUpdated")
                        .build())
                .endStatus()
                .build();
        assertThat(filter.accept(status, old)).as("status only").isFalse();

        assertThat(filter.accept(
                        new DeploymentBuilder(old)
                                .editMetadata()
                                .withGeneration(2L)
                                .endMetadata()
                                .editSpec()
                                .withReplicas(0)
                                .endSpec()
                                .build(),
                        old))
                .as("spec (generation)")
                .isTrue();
        assertThat(filter.accept(
                        new DeploymentBuilder(old)
                                .editMetadata()
                                .addToLabels("app", "other")
                                .endMetadata()
                                .build(),
                        old))
                .as("labels")
                .isTrue();
        assertThat(filter.accept(
                        new DeploymentBuilder(old)
                                .editMetadata()
                                .withAnnotations(Map.of())
                                .endMetadata()
                                .build(),
                        old))
                .as("annotations (the node it was made for)")
                .isTrue();
        assertThat(filter.accept(
                        new DeploymentBuilder(old)
                                .editMetadata()
                                .addToAnnotations("deployment.kubernetes.io/revision", "1")
                                .endMetadata()
                                .build(),
                        old))
                .as("the Deployment controller's revision annotation")
                .isFalse();
        assertThat(filter.accept(
                        new DeploymentBuilder(old)
                                .editMetadata()
                                .withDeletionTimestamp("2026-12-01T12:00:00Z")
                                .endMetadata()
                                .build(),
                        old))
                .as("deletion")
                .isTrue();
    }

    @AfterEach
    void cleanUp() {
        if (client != null) nodes.forEach(n -> client.nodes().withName(n).delete());
    }

    @Test
    void aPerNodeDeploymentChangedByHandIsRestored(KubeTestCluster cluster, TestNamespace ns)
            throws InterruptedException {
        client = cluster.client();
        String n = ns.name();
        String prefix = "d" + UUID.randomUUID().toString().substring(0, 6);
        Map<String, String> label = Map.of(FleetOperatorTest.FLEET_LABEL, prefix);
        String node = prefix + "-a";
        client.nodes().resource(Nodes.node(node, label, true, "192.0.2.31")).create();
        nodes.add(node);
        try (var operator = new TestOperator(cluster.adminConfig(), n)) {
            client.resource(FleetOperatorTest.fleet(n, label, null)).create();
            var deployment = client.apps().deployments().inNamespace(n).withName("fleet-reflector-" + node);
            Await.until(TIMEOUT, "the node's Deployment", () -> deployment.get() != null);

            // A scale to 0 by hand moves the generation: the filter passes it and the fleet's
            // reconcile puts the replica back.
            ReflectorInstance fleet = client.resources(ReflectorInstance.class)
                    .inNamespace(n)
                    .withName("fleet")
                    .get();
            int before = operator.reconciliations(fleet);
            deployment.scale(0);
            Await.until(
                    TIMEOUT, "the fleet reconciled after the scale", () -> operator.reconciliations(fleet) > before);
            Await.until(
                    TIMEOUT,
                    "one replica again",
                    () -> deployment.get().getSpec().getReplicas() == 1);
        }
    }
}
