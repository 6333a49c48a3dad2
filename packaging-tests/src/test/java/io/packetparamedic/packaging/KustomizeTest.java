package io.packetparamedic.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.packetparamedic.e2e.harness.Repo;
import org.junit.jupiter.api.Test;

/** kustomize build of each overlay, without a cluster. */
class KustomizeTest {

    @Test
    void clusterWideOverlayPutsTheOperatorInItsNamespaceWithAClusterRole() {
        Manifests m = Packaging.kustomizeBuild("config/overlays/cluster-wide");
        assertThat(m.ofKind("CustomResourceDefinition")).hasSize(3);
        assertThat(m.ids())
                .contains(
                        "Namespace/packetparamedic-system",
                        "ServiceAccount/packetparamedic-system/packetparamedic-operator",
                        "ClusterRole/packetparamedic-operator",
                        "ClusterRoleBinding/packetparamedic-operator",
                        "Role/packetparamedic-system/packetparamedic-operator-leader-election",
                        "Deployment/packetparamedic-system/packetparamedic-operator");
        for (JsonNode binding : m.ofKind("ClusterRoleBinding")) {
            assertThat(binding.path("subjects").get(0).path("namespace").asText())
                    .isEqualTo("packetparamedic-system");
        }
        assertThat(HelmChartTest.env(m, "QUARKUS_OPERATOR_SDK_NAMESPACES")).isEqualTo("JOSDK_ALL_NAMESPACES");
        assertThat(HelmChartTest.env(m, "PACKETPARAMEDIC_OPERATOR_REFLECTOR_IMAGE"))
                .isEqualTo("ghcr.io/packetparamedic/reflector:0.1.0");
        // The same default as the chart's logFormat: text.
        assertThat(HelmChartTest.env(m, "QUARKUS_LOG_CONSOLE_JSON_ENABLED"))
                .isEqualTo(HelmChartTest.env(Packaging.helmTemplate("pp"), "QUARKUS_LOG_CONSOLE_JSON_ENABLED"))
                .isEqualTo("false");
    }

    @Test
    void namespacedOverlayGrantsTheRulesOnlyInTheWatchedNamespace() {
        Manifests m = Packaging.kustomizeBuild("config/overlays/namespaced");
        assertThat(m.ids())
                .contains(
                        "Namespace/reflectors",
                        "Role/reflectors/packetparamedic-operator",
                        "RoleBinding/reflectors/packetparamedic-operator",
                        "Deployment/packetparamedic-system/packetparamedic-operator");
        HelmChartTest.onlyNodesAreReadClusterWide(m, "packetparamedic-operator-nodes", "packetparamedic-system");
        JsonNode binding = m.one("RoleBinding", "packetparamedic-operator");
        assertThat(binding.path("subjects").get(0).path("namespace").asText()).isEqualTo("packetparamedic-system");
        assertThat(HelmChartTest.env(m, "QUARKUS_OPERATOR_SDK_NAMESPACES")).isEqualTo("reflectors");
    }

    @Test
    void monitoringBuildsAServiceMonitorAPodMonitorAndTheDashboardConfigMap() {
        Manifests m = Packaging.kustomizeBuild(Packaging.MONITORING);
        assertThat(m.ids())
                .containsExactlyInAnyOrder(
                        "ServiceMonitor/packetparamedic-system/packetparamedic-operator",
                        "PodMonitor/packetparamedic-system/packetparamedic-reflectors",
                        "ConfigMap/packetparamedic-system/packetparamedic-grafana-dashboard");
        JsonNode configMap = m.one("ConfigMap", "packetparamedic-grafana-dashboard");
        assertThat(configMap.path("data").path("grafana-dashboard.json").asText())
                .isEqualTo(Repo.read(Repo.path("config/monitoring/grafana-dashboard.json")));
    }
}
