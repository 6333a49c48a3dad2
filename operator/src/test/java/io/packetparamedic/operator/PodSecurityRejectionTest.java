package io.packetparamedic.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.packetparamedic.api.crd.ReflectorInstance;
import org.junit.jupiter.api.Test;

/** Which Deployment states count as a Pod Security rejection, and the message with the fix. */
class PodSecurityRejectionTest {

    /** The ReplicaSet controller's message, as the deployment controller copies it (seen on a real node). */
    static final String ADMISSION = "pods \"edge-reflector-6ffdc5f6c9-mfx6b\" is forbidden: violates PodSecurity"
            + " \"baseline:latest\": host namespaces (hostNetwork=true), hostPort (container \"reflector\" uses hostPorts 4100, 7401)";

    private static ReflectorInstance instance() {
        ReflectorInstance ri = new ReflectorInstance();
        ri.setMetadata(
                new ObjectMetaBuilder().withName("edge").withNamespace("psa").build());
        return ri;
    }

    private static Deployment withCondition(String type, String status, String message) {
        return new DeploymentBuilder()
                .withNewMetadata()
                .withName("edge-reflector")
                .endMetadata()
                .withNewStatus()
                .withConditions(new DeploymentConditionBuilder()
                        .withType(type)
                        .withStatus(status)
                        .withReason("FailedCreate")
                        .withMessage(message)
                        .build())
                .endStatus()
                .build();
    }

    @Test
    void aReplicaFailureNamingPodSecurityIsARejectionWithTheFix() {
        assertThat(InstanceStatusCalculator.podSecurityRejection(
                        instance(), withCondition("ReplicaFailure", "True", ADMISSION)))
                .hasValueSatisfying(
                        m -> assertThat(m)
                                .contains(ADMISSION)
                                .endsWith(
                                        "kubectl label namespace psa pod-security.kubernetes.io/enforce=privileged --overwrite"));
    }

    @Test
    void otherFailuresAndClearedConditionsAreNot() {
        assertThat(InstanceStatusCalculator.podSecurityRejection(
                        instance(), withCondition("ReplicaFailure", "True", "exceeded quota: compute-resources")))
                .isEmpty();
        assertThat(InstanceStatusCalculator.podSecurityRejection(
                        instance(), withCondition("ReplicaFailure", "False", ADMISSION)))
                .isEmpty();
        assertThat(InstanceStatusCalculator.podSecurityRejection(
                        instance(), withCondition("Available", "True", "Deployment has minimum availability.")))
                .isEmpty();
        assertThat(InstanceStatusCalculator.podSecurityRejection(
                        instance(),
                        new DeploymentBuilder()
                                .withNewMetadata()
                                .withName("x")
                                .endMetadata()
                                .build()))
                .isEmpty();
    }
}
