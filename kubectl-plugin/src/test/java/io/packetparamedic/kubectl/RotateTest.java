package io.packetparamedic.kubectl;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.packetparamedic.api.crd.ReflectorInstance;
import io.packetparamedic.api.crd.ReflectorInstanceSpec;
import io.packetparamedic.api.crd.ReflectorInstanceStatus;
import io.packetparamedic.api.crd.SecretKeyRef;
import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.e2e.harness.KubeCluster;
import io.packetparamedic.e2e.harness.KubeTestCluster;
import io.packetparamedic.e2e.harness.TestNamespace;
import org.junit.jupiter.api.Test;

/**
 * {@code rotate} without an operator: what it patches and when it refuses. Following a rotation
 * through the pod's restart is e2e/tests KubectlPluginE2ETest.
 */
@KubeCluster
class RotateTest {

    @Test
    void setsTheRotationValueAndTimesOutWhenNoOperatorIssuesTheNewIdentity(KubeTestCluster cluster, TestNamespace ns) {
        KubernetesClient client = cluster.client();
        ReflectorInstance ri = Fixtures.instance(client, ns.name(), "edge", 4000);
        String oldId = Ed25519Identity.generate().endpointId().toString();
        ReflectorInstanceStatus st = new ReflectorInstanceStatus();
        st.endpointId = oldId;
        Fixtures.withStatus(client, ri, st);

        Plugin.Result r =
                Plugin.run(cluster, "rotate", "edge", "-n", ns.name(), "--value", "2026-11", "--timeout", "2s");

        assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.TIMED_OUT);
        assertThat(r.out())
                .isEqualTo("Rotating " + ns.name() + "/edge: spec.identity.rotation=2026-11; old Endpoint ID " + oldId
                        + "\n");
        assertThat(r.err())
                .isEqualTo(
                        "error: timed out after 2s waiting for the operator to issue a new identity (Ready no Ready condition)\n");
        assertThat(client.resource(ri).get().getSpec().identity.rotation).isEqualTo("2026-11");

        Plugin.Result again = Plugin.run(cluster, "rotate", "edge", "-n", ns.name(), "--value", "2026-11");
        assertThat(again.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(again.err())
                .isEqualTo("error: spec.identity.rotation is already \"2026-11\": a rotation needs a new value\n");
    }

    @Test
    void refusesAnInstanceWithoutAnIdentityOrWithItsOwnIdentitySecret(KubeTestCluster cluster, TestNamespace ns) {
        KubernetesClient client = cluster.client();
        Fixtures.instance(client, ns.name(), "fresh", 4000);
        Plugin.Result fresh = Plugin.run(cluster, "rotate", "fresh", "-n", ns.name());
        assertThat(fresh.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(fresh.err()).isEqualTo("error: reflector fresh has no identity yet (status.endpointId is empty)\n");

        ReflectorInstance own = Fixtures.instance(client, ns.name(), "own", 4001);
        own.getSpec().identity = new ReflectorInstanceSpec.Identity();
        own.getSpec().identity.existingSecret = new SecretKeyRef("my-seed", null);
        client.resource(own).update();
        Plugin.Result r = Plugin.run(cluster, "rotate", "own", "-n", ns.name());
        assertThat(r.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(r.err())
                .isEqualTo(
                        "error: reflector own uses the existing Secret my-seed: rotate by writing a new 32-byte seed into it\n");
        assertThat(client.resource(own).get().getSpec().identity.rotation).isNull();
    }
}
