package io.packetparamedic.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.packetparamedic.e2e.harness.KubeCluster;
import io.packetparamedic.e2e.harness.KubeTestCluster;
import io.packetparamedic.e2e.harness.KubectlResult;
import io.packetparamedic.e2e.harness.Repo;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every object the chart renders and every kustomize overlay builds is accepted by a real
 * kube-apiserver in a server-side dry run: schema, CRD validation, RBAC object rules and
 * admission all run, nothing is stored. The harness has already installed crds/.
 */
@KubeCluster
class ServerDryRunTest {

    /** The namespaces the manifests name; a dry run does not create the Namespace objects it applies. */
    static final List<String> NAMESPACES = List.of("packetparamedic-system", "reflectors", "team-b", "argocd");

    @BeforeAll
    static void prepare(KubeTestCluster cluster) {
        for (String ns : NAMESPACES) {
            if (cluster.client().namespaces().withName(ns).get() == null) {
                cluster.client()
                        .namespaces()
                        .resource(new NamespaceBuilder()
                                .withNewMetadata()
                                .withName(ns)
                                .addToLabels(KubeTestCluster.E2E_LABEL, "true")
                                .endMetadata()
                                .build())
                        .create();
            }
        }
        String fixture =
                Repo.read(Repo.path("packaging-tests/src/test/resources/fixtures/prometheus-operator-kinds.yaml"));
        cluster.kubectlWithInput(fixture, "apply", "--server-side", "-f", "-").orThrow();
        cluster.kubectl(
                        "wait",
                        "--for=condition=Established",
                        "--timeout=60s",
                        "crd/servicemonitors.monitoring.coreos.com",
                        "crd/podmonitors.monitoring.coreos.com",
                        "crd/prometheusrules.monitoring.coreos.com")
                .orThrow();
    }

    /**
     * Server-side apply in dry-run mode; returns what kubectl printed, one line per object.
     * Conflicts are forced: the harness installed the CRDs under its own field manager, and the
     * question here is whether the server accepts the objects, not who owns which field.
     */
    static List<String> dryRunApply(KubeTestCluster cluster, Manifests manifests) {
        KubectlResult result = cluster.kubectlWithInput(
                manifests.yaml(),
                "apply",
                "--server-side",
                "--dry-run=server",
                "--force-conflicts",
                "--field-manager=packaging-tests",
                "-f",
                "-");
        assertThat(result.exitCode()).as("%s", result).isZero();
        List<String> lines = result.stdout().lines().filter(l -> !l.isBlank()).toList();
        assertThat(lines)
                .as("one line per object:\n%s", result)
                .hasSize(manifests.objects().size())
                .allMatch(l -> l.endsWith("(server dry run)"));
        return lines;
    }

    @Test
    void helmChartClusterWideWithServiceMonitor(KubeTestCluster cluster) {
        Manifests m = Packaging.helmTemplate(
                "packetparamedic-system",
                "--set",
                "metrics.serviceMonitor.enabled=true,prometheusRule.enabled=true,logFormat=json");
        assertThat(m.objects()).hasSizeGreaterThanOrEqualTo(12);
        assertThat(m.ofKind("PrometheusRule")).hasSize(1);
        dryRunApply(cluster, m);
    }

    @Test
    void helmChartListedNamespaces(KubeTestCluster cluster) {
        Manifests m = Packaging.helmTemplate("packetparamedic-system", "--set", "watchNamespaces={reflectors,team-b}");
        assertThat(m.ofKind("Role")).hasSize(3);
        dryRunApply(cluster, m);
    }

    @Test
    void kustomizeClusterWideOverlay(KubeTestCluster cluster) {
        dryRunApply(cluster, Packaging.kustomizeBuild("config/overlays/cluster-wide"));
    }

    @Test
    void kustomizeNamespacedOverlay(KubeTestCluster cluster) {
        dryRunApply(cluster, Packaging.kustomizeBuild("config/overlays/namespaced"));
    }

    @Test
    void kustomizeMonitoring(KubeTestCluster cluster) {
        dryRunApply(cluster, Packaging.kustomizeBuild(Packaging.MONITORING));
    }

    @Test
    void argoCdConfigMapSnippet(KubeTestCluster cluster) {
        dryRunApply(cluster, Manifests.parse(Repo.read(Repo.path(ArgoCdConfigMapTest.SNIPPET))));
    }

    @Test
    void theDryRunRejectsWhatTheServerWouldReject(KubeTestCluster cluster) {
        // Guards the checks above: a dry run that accepted anything would prove nothing.
        Manifests invalid = Manifests.parse(String.join(
                "\n",
                "apiVersion: packetparamedic.io/v1alpha1",
                "kind: ReflectorInstance",
                "metadata: {name: backwards, namespace: reflectors}",
                "spec: {network: {dataPortRange: {start: 5299, end: 5201}}}"));
        KubectlResult result =
                cluster.kubectlWithInput(invalid.yaml(), "apply", "--server-side", "--dry-run=server", "-f", "-");
        assertThat(result.exitCode()).isNotZero();
        assertThat(result.stderr()).contains("dataPortRange.start must be <= dataPortRange.end");
    }
}
