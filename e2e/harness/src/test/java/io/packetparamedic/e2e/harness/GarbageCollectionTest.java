package io.packetparamedic.e2e.harness;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The controller manager really runs: the garbage collector follows ownerReferences, and the
 * Deployment and ReplicaSet controllers create their objects. No kubelet or scheduler exists,
 * so Pods stay Pending and unscheduled.
 */
@KubeCluster
class GarbageCollectionTest {

    private static final long TIMEOUT_S = 60;

    @Test
    void deletingTheOwnerDeletesTheDependent(KubernetesClient client, TestNamespace ns) {
        var configMaps = client.configMaps().inNamespace(ns.name());
        ConfigMap owner = configMaps
                .resource(new ConfigMapBuilder()
                        .withNewMetadata()
                        .withName("owner")
                        .endMetadata()
                        .build())
                .create();
        configMaps
                .resource(new ConfigMapBuilder()
                        .withNewMetadata()
                        .withName("dependent")
                        .addToOwnerReferences(new OwnerReferenceBuilder()
                                .withApiVersion("v1")
                                .withKind("ConfigMap")
                                .withName(owner.getMetadata().getName())
                                .withUid(owner.getMetadata().getUid())
                                .build())
                        .endMetadata()
                        .build())
                .create();
        ConfigMap bystander = configMaps
                .resource(new ConfigMapBuilder()
                        .withNewMetadata()
                        .withName("bystander")
                        .endMetadata()
                        .build())
                .create();

        configMaps.withName("owner").delete();

        // Watch-based wait: the condition sees null once the object is gone.
        configMaps.withName("dependent").waitUntilCondition(Objects::isNull, TIMEOUT_S, TimeUnit.SECONDS);
        assertThat(configMaps.withName("bystander").get().getMetadata().getUid())
                .isEqualTo(bystander.getMetadata().getUid());
    }

    @Test
    void deploymentProducesReplicaSetAndPendingPodAndCascadesOnDelete(KubernetesClient client, TestNamespace ns)
            throws Exception {
        String n = ns.name();
        Deployment d = client.apps()
                .deployments()
                .inNamespace(n)
                .resource(new DeploymentBuilder()
                        .withNewMetadata()
                        .withName("web")
                        .endMetadata()
                        .withNewSpec()
                        .withReplicas(1)
                        .withNewSelector()
                        .addToMatchLabels("app", "web")
                        .endSelector()
                        .withNewTemplate()
                        .withNewMetadata()
                        .addToLabels("app", "web")
                        .endMetadata()
                        .withNewSpec()
                        .addNewContainer()
                        .withName("web")
                        // Never pulled: there is no kubelet. The name is just well-formed.
                        .withImage("registry.invalid/packetparamedic/never-pulled:1")
                        .endContainer()
                        .endSpec()
                        .endTemplate()
                        .endSpec()
                        .build())
                .create();

        List<ReplicaSet> replicaSets = client.apps()
                .replicaSets()
                .inNamespace(n)
                .informOnCondition(l -> l.stream().anyMatch(rs -> ownedBy(rs, d)))
                .get(TIMEOUT_S, TimeUnit.SECONDS);
        ReplicaSet rs =
                replicaSets.stream().filter(r -> ownedBy(r, d)).findFirst().orElseThrow();

        List<Pod> pods = client.pods()
                .inNamespace(n)
                .informOnCondition(l -> l.stream().anyMatch(p -> ownedBy(p, rs)))
                .get(TIMEOUT_S, TimeUnit.SECONDS);
        Pod pod = pods.stream().filter(p -> ownedBy(p, rs)).findFirst().orElseThrow();
        assertThat(pod.getStatus().getPhase()).isEqualTo("Pending");
        assertThat(pod.getSpec().getNodeName()).as("no scheduler, no node").isNull();
        assertThat(pod.getMetadata().getLabels()).containsEntry("app", "web");

        // Cascade: the Deployment's removal takes the ReplicaSet and, through it, the Pod along.
        client.apps().deployments().inNamespace(n).withName("web").delete();
        client.apps()
                .replicaSets()
                .inNamespace(n)
                .withName(rs.getMetadata().getName())
                .waitUntilCondition(Objects::isNull, TIMEOUT_S, TimeUnit.SECONDS);
        client.pods()
                .inNamespace(n)
                .withName(pod.getMetadata().getName())
                .waitUntilCondition(Objects::isNull, TIMEOUT_S, TimeUnit.SECONDS);
    }

    private static boolean ownedBy(HasMetadata dependent, HasMetadata owner) {
        return dependent.getMetadata().getOwnerReferences().stream()
                .anyMatch(ref -> ref.getUid().equals(owner.getMetadata().getUid()));
    }
}
