package io.packetparamedic.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.packetparamedic.api.crd.ReflectorInstance;
import io.packetparamedic.e2e.harness.Await;
import io.packetparamedic.e2e.harness.KubeCluster;
import io.packetparamedic.e2e.harness.KubeTestCluster;
import io.packetparamedic.e2e.harness.TestNamespace;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, item 8: creating a ReflectorInstance chooses the image of a hostNetwork pod, so an
 * administrator can pin the images (chart value reflector.allowedImages → operator setting).
 * An instance naming another image gets Degraded/ImageNotAllowed, a Warning Event and no
 * Deployment; a running one that switches to such an image loses its Deployment.
 */
@KubeCluster
class ImagePolicyOperatorTest {

    static final Duration TIMEOUT = Duration.ofSeconds(60);
    static final String ALLOWED = "registry.example/reflector@sha256:" + "ab".repeat(32);
    static final String EVIL = "evil.example/miner:latest";

    @AfterEach
    void clearSetting() {
        System.clearProperty(OperatorSettings.ALLOWED_IMAGES_PROPERTY);
    }

    @Test
    void anImageOutsideTheAllowedListGetsNoDeployment(KubeTestCluster cluster, TestNamespace ns)
            throws InterruptedException {
        System.setProperty(
                OperatorSettings.ALLOWED_IMAGES_PROPERTY, "registry.example/reflector@sha256:*, ghcr.io/other:1");
        KubernetesClient client = cluster.client();
        String n = ns.name();
        try (var operator = new TestOperator(cluster.adminConfig(), n)) {
            ReflectorInstance instance = Fixtures.sample(client, "reflectorinstance.yaml", ReflectorInstance.class, n);
            instance.getSpec().image = EVIL;
            client.resource(instance).create();
            var instances = client.resources(ReflectorInstance.class).inNamespace(n);

            ReflectorInstance refused = Await.until(TIMEOUT, "edge Degraded with ImageNotAllowed", () -> {
                var r = instances.withName("edge").get();
                return r.getStatus() != null
                                && ReflectorInstanceReconciler.IMAGE_NOT_ALLOWED.equals(
                                        ReflectorInstanceOperatorTest.reason(r, "Degraded"))
                        ? r
                        : null;
            });
            assertThat(ReflectorInstanceOperatorTest.condition(refused, "Ready"))
                    .isEqualTo("False");
            assertThat(ReflectorInstanceOperatorTest.reason(refused, "Ready")).isEqualTo("ImageNotAllowed");
            assertThat(ReflectorInstanceOperatorTest.condition(refused, "Progressing"))
                    .isEqualTo("False");
            assertThat(refused.getStatus().phase)
                    .isEqualTo(io.packetparamedic.api.crd.ReflectorInstanceStatus.Phase.Degraded);
            assertThat(Conditions.find(refused.getStatus().conditions, "Degraded")
                            .orElseThrow()
                            .getMessage())
                    .contains(EVIL)
                    .contains("registry.example/reflector@sha256:*");
            Await.until(
                    TIMEOUT,
                    "an ImageNotAllowed Warning",
                    () -> client.v1().events().inNamespace(n).list().getItems().stream()
                            .anyMatch(e -> "ImageNotAllowed".equals(e.getReason())
                                    && "Warning".equals(e.getType())
                                    && e.getMessage().contains(EVIL)));
            // The status is written after the workflow ran: the Deployment was never made.
            assertThat(client.apps()
                            .deployments()
                            .inNamespace(n)
                            .withName("edge-reflector")
                            .get())
                    .isNull();
            // The rest (identity, config, RBAC) exists, so fixing the image is all it takes.
            assertThat(client.secrets().inNamespace(n).withName("edge-config").get())
                    .isNotNull();

            instances.withName("edge").edit(r -> {
                r.getSpec().image = ALLOWED;
                return r;
            });
            Deployment d = Await.until(
                    TIMEOUT,
                    "the Deployment with the allowed image",
                    () -> client.apps()
                            .deployments()
                            .inNamespace(n)
                            .withName("edge-reflector")
                            .get());
            assertThat(d.getSpec()
                            .getTemplate()
                            .getSpec()
                            .getContainers()
                            .get(0)
                            .getImage())
                    .isEqualTo(ALLOWED);
            Await.until(
                    TIMEOUT,
                    "Degraded cleared",
                    () -> "False"
                            .equals(ReflectorInstanceOperatorTest.condition(
                                    instances.withName("edge").get(), "Degraded")));

            // Switching a running instance to a refused image removes its pod.
            instances.withName("edge").edit(r -> {
                r.getSpec().image = EVIL;
                return r;
            });
            Await.until(
                    TIMEOUT,
                    "the Deployment deleted",
                    () -> client.apps()
                                    .deployments()
                                    .inNamespace(n)
                                    .withName("edge-reflector")
                                    .get()
                            == null);
            Await.until(
                    TIMEOUT,
                    "Degraded with ImageNotAllowed again",
                    () -> ReflectorInstanceReconciler.IMAGE_NOT_ALLOWED.equals(ReflectorInstanceOperatorTest.reason(
                            instances.withName("edge").get(), "Degraded")));

            // No image named: the operator's default, always allowed.
            instances.withName("edge").edit(r -> {
                r.getSpec().image = null;
                return r;
            });
            Deployment byDefault = Await.until(
                    TIMEOUT,
                    "the Deployment with the default image",
                    () -> client.apps()
                            .deployments()
                            .inNamespace(n)
                            .withName("edge-reflector")
                            .get());
            assertThat(byDefault
                            .getSpec()
                            .getTemplate()
                            .getSpec()
                            .getContainers()
                            .get(0)
                            .getImage())
                    .isEqualTo(OperatorSettings.DEFAULT_IMAGE);
        }
    }
}
