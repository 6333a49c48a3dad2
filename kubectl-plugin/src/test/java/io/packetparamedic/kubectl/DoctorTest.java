package io.packetparamedic.kubectl;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.packetparamedic.api.crd.PairingWindow;
import io.packetparamedic.api.crd.ReflectorInstance;
import io.packetparamedic.api.crd.ReflectorInstanceStatus;
import io.packetparamedic.e2e.harness.Crds;
import io.packetparamedic.e2e.harness.KubeCluster;
import io.packetparamedic.e2e.harness.KubeTestCluster;
import io.packetparamedic.e2e.harness.RepoLayout;
import io.packetparamedic.e2e.harness.TestNamespace;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

@KubeCluster
class DoctorTest {

    @Test
    void failsForAnInstanceInANamespaceWhosePodSecurityRefusesHostNetwork(KubeTestCluster cluster, TestNamespace ns) {
        KubernetesClient client = cluster.client();
        client.namespaces().withName(ns.name()).edit(n -> {
            n.getMetadata().getLabels().put("pod-security.kubernetes.io/enforce", "restricted");
            return n;
        });
        Fixtures.instance(client, ns.name(), "edge", 4000);

        Plugin.Result r = Plugin.run(cluster, "doctor", "-n", ns.name());

        assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.FAILED);
        assertThat(r.out())
                .as(r.toString())
                .contains("FAIL  pod security  namespace " + ns.name()
                        + " enforces restricted, which refuses the hostNetwork pods of edge (kubectl label namespace "
                        + ns.name()
                        + " pod-security.kubernetes.io/enforce=privileged --overwrite)");
        assertThat(r.out())
                .contains(
                        "OK    CRDs          reflectorinstances.packetparamedic.io serves v1alpha1 (storage v1alpha1)");
    }

    @Test
    void acceptsAPrivilegedNamespaceAndOneWithoutALabel(KubeTestCluster cluster, TestNamespace ns) {
        KubernetesClient client = cluster.client();
        Fixtures.instance(client, ns.name(), "edge", 4000);
        assertThat(Plugin.run(cluster, "doctor", "-n", ns.name()).out())
                .contains(
                        "OK    pod security  namespace " + ns.name() + ": no pod-security.kubernetes.io/enforce label");

        client.namespaces().withName(ns.name()).edit(n -> {
            n.getMetadata().getLabels().put("pod-security.kubernetes.io/enforce", "privileged");
            return n;
        });
        assertThat(Plugin.run(cluster, "doctor", "-n", ns.name()).out())
                .contains("OK    pod security  namespace " + ns.name()
                        + " enforces privileged: allows the hostNetwork pods of edge");
    }

    @Test
    void reportsPortConflictsAndInstancesThatAreNotReady(KubeTestCluster cluster, TestNamespace ns) {
        KubernetesClient client = cluster.client();
        ReflectorInstance a = Fixtures.instance(client, ns.name(), "a", 4000);
        Fixtures.instance(client, ns.name(), "b", 4000);
        ReflectorInstanceStatus st = new ReflectorInstanceStatus();
        st.conditions = List.of(
                Fixtures.condition("Ready", false, "AwaitingHeartbeat", "the reflector has not reported yet"),
                Fixtures.condition(
                        "PortConflict", true, "HostPortsOverlap", "host ports overlap with " + ns.name() + "/b"));
        Fixtures.withStatus(client, a, st);

        Plugin.Result r = Plugin.run(cluster, "doctor", "-n", ns.name());

        assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.FAILED);
        assertThat(r.out())
                .as(r.toString())
                .contains("FAIL  host ports    " + ns.name() + "/a: host ports overlap with " + ns.name() + "/b")
                .contains("WARN  instances     " + ns.name()
                        + "/a is not Ready: AwaitingHeartbeat: the reflector has not reported yet")
                .contains("WARN  instances     " + ns.name() + "/b is not Ready: no status from the operator yet");
    }

    @Test
    void findsTheOperatorDeploymentByLabelAndCountsItsReadyReplicas(KubeTestCluster cluster, TestNamespace ns)
            throws Exception {
        Plugin.Result none = Plugin.run(cluster, "doctor", "-n", ns.name(), "--operator-namespace", ns.name());
        assertThat(none.out())
                .as(none.toString())
                .contains("FAIL  operator      no Deployment labelled "
                        + "app.kubernetes.io/name=packetparamedic-operator in namespace " + ns.name());

        // No node in this cluster: the controller manager creates the pod, which never becomes ready.
        Deployment d = new DeploymentBuilder()
                .withNewMetadata()
                .withNamespace(ns.name())
                .withName("pp-operator")
                .addToLabels("app.kubernetes.io/name", "packetparamedic-operator")
                .endMetadata()
                .withNewSpec()
                .withReplicas(1)
                .withNewSelector()
                .addToMatchLabels("app", "op")
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .addToLabels("app", "op")
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("operator")
                .withImage("example.invalid/operator:1")
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
        cluster.client().resource(d).create();
        Plugin.Result found = Plugin.run(cluster, "doctor", "-n", ns.name(), "--operator-namespace", ns.name());
        assertThat(found.out())
                .as(found.toString())
                .contains("FAIL  operator      Deployment " + ns.name()
                        + "/pp-operator: 0/1 replicas ready (kubectl logs -n " + ns.name()
                        + " deployment/pp-operator)");
    }

    /** Deletes a CRD the other tests of this JVM need, so it puts it back before returning. */
    @Test
    void failsWhenACrdIsMissing(KubeTestCluster cluster) throws Exception {
        KubernetesClient client = cluster.client();
        String name = HasMetadata.getFullResourceName(PairingWindow.class);
        client.apiextensions().v1().customResourceDefinitions().withName(name).delete();
        try {
            client.apiextensions()
                    .v1()
                    .customResourceDefinitions()
                    .withName(name)
                    .waitUntilCondition(Objects::isNull, 60, TimeUnit.SECONDS);

            Plugin.Result r = Plugin.run(cluster, "doctor");

            assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.FAILED);
            assertThat(r.out())
                    .as(r.toString())
                    .contains("FAIL  CRDs          pairingwindows.packetparamedic.io is not installed")
                    .contains("OK    CRDs          authorizedpeers.packetparamedic.io serves v1alpha1");
        } finally {
            Crds.applyDirectory(client, RepoLayout.requireRoot().resolve("crds"));
        }
        assertThat(Plugin.run(cluster, "doctor").out())
                .contains("OK    CRDs          pairingwindows.packetparamedic.io serves v1alpha1");
    }
}
