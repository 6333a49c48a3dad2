package io.packetparamedic.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.packetparamedic.e2e.harness.Exec;
import io.packetparamedic.e2e.harness.Repo;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** helm lint and helm template of the operator chart, without a cluster. */
class HelmChartTest {

    private static final java.util.Comparator<JsonNode> NUMBERS_BY_VALUE = (a, b) ->
            a.isNumber() && b.isNumber() ? Double.compare(a.doubleValue(), b.doubleValue()) : (a.equals(b) ? 0 : 1);

    @Test
    void lintIsCleanInBothRbacModes() {
        for (String[] values : List.of(
                new String[0],
                new String[] {"--set", "watchNamespaces={team-a,team-b}"},
                new String[] {"--set", "metrics.serviceMonitor.enabled=true,leaderElection.enabled=false"},
                new String[] {
                    "--set",
                    "prometheusRule.enabled=true,logFormat=json,crds.install=false,fullnameOverride=pp-op",
                    "--set",
                    "image.digest=sha256:" + "ab".repeat(32)
                })) {
            List<String> args = new ArrayList<>(List.of("lint", "--strict", Packaging.CHART));
            args.addAll(List.of(values));
            Exec.Result lint = Packaging.helm(args.toArray(String[]::new));
            assertThat(lint.exitCode()).as("%s", lint).isZero();
            assertThat(lint.stdout())
                    .as("%s", lint)
                    .contains("1 chart(s) linted, 0 chart(s) failed")
                    .doesNotContain("[WARNING]", "[ERROR]");
        }
    }

    @Test
    void valuesOutsideTheSchemaAreRejected() {
        Exec.Result lint = Packaging.helm("lint", Packaging.CHART, "--set", "watchNamespaces={Not_A_Namespace}");
        assertThat(lint.exitCode()).as("%s", lint).isNotZero();
        assertThat(lint.stdout() + lint.stderr()).contains("watchNamespaces");
    }

    @Test
    void clusterWideRendersClusterRoleWithTheSameRulesAsKustomizeAndWatchesAllNamespaces() {
        Manifests m = Packaging.helmTemplate("pp-system");
        assertThat(m.ids())
                .contains(
                        "CustomResourceDefinition/reflectorinstances.packetparamedic.io",
                        "CustomResourceDefinition/authorizedpeers.packetparamedic.io",
                        "CustomResourceDefinition/pairingwindows.packetparamedic.io",
                        "ServiceAccount/pp-system/packetparamedic-packetparamedic-operator",
                        "ClusterRole/packetparamedic-packetparamedic-operator",
                        "ClusterRoleBinding/packetparamedic-packetparamedic-operator",
                        "Role/pp-system/packetparamedic-packetparamedic-operator-leader-election",
                        "RoleBinding/pp-system/packetparamedic-packetparamedic-operator-leader-election",
                        "Deployment/pp-system/packetparamedic-packetparamedic-operator",
                        "Service/pp-system/packetparamedic-packetparamedic-operator-metrics");
        assertThat(m.ofKind("Role")).hasSize(1);
        assertThat(m.ofKind("ServiceMonitor")).isEmpty();

        JsonNode clusterRole = m.one("ClusterRole", "packetparamedic-packetparamedic-operator");
        JsonNode kustomizeRole = ArgoCdHealth.readYaml(Repo.path("config/rbac/cluster/role.yaml"));
        assertThat(clusterRole.path("rules")).isEqualTo(kustomizeRole.path("rules"));
        JsonNode namespacedRole = ArgoCdHealth.readYaml(Repo.path("config/rbac/namespaced/role.yaml"));
        assertThat(namespacedRole.path("rules")).isEqualTo(kustomizeRole.path("rules"));

        JsonNode binding = m.one("ClusterRoleBinding", "packetparamedic-packetparamedic-operator");
        assertThat(binding.path("subjects").get(0).path("namespace").asText()).isEqualTo("pp-system");
        assertThat(env(m, "QUARKUS_OPERATOR_SDK_NAMESPACES")).isEqualTo("JOSDK_ALL_NAMESPACES");
        assertThat(env(m, "PACKETPARAMEDIC_OPERATOR_REFLECTOR_IMAGE"))
                .isEqualTo("ghcr.io/packetparamedic/reflector:0.1.0");
        assertThat(env(m, "PACKETPARAMEDIC_OPERATOR_LEASE_NAME")).isEqualTo("packetparamedic-packetparamedic-operator");
        assertThat(env(m, "QUARKUS_MANAGEMENT_PORT")).isEqualTo("9000");
    }

    @Test
    void listedNamespacesGetARoleAndBindingEachAndNoClusterWideRulesButReadingNodes() {
        Manifests m = Packaging.helmTemplate(
                "pp-system",
                "--set",
                "watchNamespaces={team-a,team-b}",
                "--set",
                "reflector.image=registry.example/reflector:1.2.3");
        assertThat(m.ids())
                .contains(
                        "Role/team-a/packetparamedic-packetparamedic-operator",
                        "RoleBinding/team-a/packetparamedic-packetparamedic-operator",
                        "Role/team-b/packetparamedic-packetparamedic-operator",
                        "RoleBinding/team-b/packetparamedic-packetparamedic-operator");
        onlyNodesAreReadClusterWide(m, "packetparamedic-packetparamedic-operator-nodes", "pp-system");
        for (JsonNode binding : m.ofKind("RoleBinding")) {
            assertThat(binding.path("subjects").get(0).path("namespace").asText())
                    .isEqualTo("pp-system");
        }
        assertThat(env(m, "QUARKUS_OPERATOR_SDK_NAMESPACES")).isEqualTo("team-a,team-b");
        assertThat(env(m, "PACKETPARAMEDIC_OPERATOR_REFLECTOR_IMAGE")).isEqualTo("registry.example/reflector:1.2.3");
    }

    /**
     * The one cluster-wide grant of a namespaced install: get/list/watch on Nodes (PerNode
     * placement follows them), bound to the operator's ServiceAccount, nothing else.
     */
    static void onlyNodesAreReadClusterWide(Manifests m, String name, String operatorNamespace) {
        assertThat(m.ofKind("ClusterRole")).hasSize(1);
        JsonNode role = m.one("ClusterRole", name);
        assertThat(role.path("rules")).hasSize(1);
        JsonNode rule = role.path("rules").get(0);
        assertThat(rule.path("resources").toString()).isEqualTo("[\"nodes\"]");
        assertThat(rule.path("verbs").toString()).isEqualTo("[\"get\",\"list\",\"watch\"]");
        assertThat(m.ofKind("ClusterRoleBinding")).hasSize(1);
        JsonNode binding = m.one("ClusterRoleBinding", name);
        assertThat(binding.path("roleRef").path("name").asText()).isEqualTo(name);
        assertThat(binding.path("subjects").get(0).path("namespace").asText()).isEqualTo(operatorNamespace);
    }

    @Test
    void allowedReflectorImagesReachTheOperatorAndAreValidated() {
        assertThat(envOrNull(Packaging.helmTemplate("pp-system"), "PACKETPARAMEDIC_OPERATOR_ALLOWED_IMAGES"))
                .as("no list: any image, as before")
                .isNull();
        Manifests m = Packaging.helmTemplate(
                "pp-system",
                "--set",
                "reflector.allowedImages={registry.example/reflector@sha256:*,ghcr.io/packetparamedic/reflector:0.2.0}");
        assertThat(env(m, "PACKETPARAMEDIC_OPERATOR_ALLOWED_IMAGES"))
                .isEqualTo("registry.example/reflector@sha256:*,ghcr.io/packetparamedic/reflector:0.2.0");
        // Entries are joined with commas, so an entry may not contain one (nor whitespace).
        Exec.Result lint = Packaging.helm("lint", Packaging.CHART, "--set", "reflector.allowedImages={a b}");
        assertThat(lint.exitCode()).as("%s", lint).isNotZero();
        assertThat(lint.stdout() + lint.stderr()).contains("allowedImages");
    }

    @Test
    void operatorRulesGrantNoSpecWritesNoBindAndUpdateOnlyWhereNeeded() {
        JsonNode rules = Packaging.helmTemplate("pp-system")
                .one("ClusterRole", "packetparamedic-packetparamedic-operator")
                .path("rules");
        for (JsonNode rule : rules) {
            List<String> verbs = new ArrayList<>();
            rule.path("verbs").forEach(v -> verbs.add(v.asText()));
            List<String> resources = new ArrayList<>();
            rule.path("resources").forEach(r -> resources.add(r.asText()));
            assertThat(verbs).as("%s", rule).doesNotContain("*", "bind", "escalate", "impersonate");
            // update: owner references on the finalizers subresource, and Secrets (JOSDK writes them with PUT).
            if (!resources.stream().allMatch(r -> r.endsWith("/finalizers")) && !resources.equals(List.of("secrets"))) {
                assertThat(verbs).as("%s", rule).doesNotContain("update");
            }
            if (resources.contains("reflectorinstances")
                    || resources.contains("pairingwindows")
                    || resources.contains("authorizedpeers")) {
                assertThat(verbs).as("%s", rule).doesNotContain("patch", "delete");
            }
        }
    }

    @Test
    void serviceMonitorAndLeaderElectionFollowTheirToggles() {
        Manifests m = Packaging.helmTemplate(
                "pp-system",
                "--set",
                "metrics.serviceMonitor.enabled=true,metrics.serviceMonitor.labels.release=prom,leaderElection.enabled=false");
        JsonNode monitor = m.one("ServiceMonitor", "packetparamedic-packetparamedic-operator");
        assertThat(monitor.path("metadata").path("labels").path("release").asText())
                .isEqualTo("prom");
        assertThat(monitor.path("spec").path("endpoints").get(0).path("path").asText())
                .isEqualTo("/q/metrics");
        assertThat(m.ofKind("Role")).isEmpty();
        assertThat(env(m, "QUARKUS_OPERATOR_SDK_ACTIVATE_LEADER_ELECTION_FOR_PROFILES"))
                .isEqualTo("leader-election-disabled");

        Manifests noMetrics = Packaging.helmTemplate(
                "pp-system", "--set", "metrics.enabled=false,metrics.serviceMonitor.enabled=true");
        assertThat(noMetrics.ofKind("ServiceMonitor")).isEmpty();
        assertThat(noMetrics.ofKind("Service")).isEmpty();
    }

    @Test
    void operatorPodIsHardened() {
        JsonNode pod = Packaging.helmTemplate("pp-system")
                .one("Deployment", "packetparamedic-packetparamedic-operator")
                .path("spec")
                .path("template")
                .path("spec");
        assertThat(pod.path("securityContext").path("runAsNonRoot").asBoolean()).isTrue();
        JsonNode container = pod.path("containers").get(0);
        assertThat(container.path("image").asText()).isEqualTo("ghcr.io/packetparamedic/reflector-operator:0.1.0");
        assertThat(container
                        .path("securityContext")
                        .path("readOnlyRootFilesystem")
                        .asBoolean())
                .isTrue();
        assertThat(container
                        .path("securityContext")
                        .path("allowPrivilegeEscalation")
                        .asBoolean())
                .isFalse();
        assertThat(container
                        .path("securityContext")
                        .path("capabilities")
                        .path("drop")
                        .get(0)
                        .asText())
                .isEqualTo("ALL");
        assertThat(container.path("readinessProbe").path("httpGet").path("path").asText())
                .isEqualTo("/q/health/ready");
        assertThat(container.path("readinessProbe").path("httpGet").path("port").asText())
                .isEqualTo("management");
        assertThat(container.path("ports").get(0).path("containerPort").asInt()).isEqualTo(9000);
    }

    @Test
    void fullNameFollowsHelmCreateAndTheOverrides() {
        // The documented release name: it contains the chart name, so it is the full name as it is.
        Manifests documented = Packaging.helm(
                        "template", "packetparamedic-operator", Packaging.CHART, "--namespace", "pp")
                .orThrow()
                .stdout()
                .transform(Manifests::parse);
        assertThat(documented.ids())
                .contains(
                        "Deployment/pp/packetparamedic-operator",
                        "ClusterRole/packetparamedic-operator",
                        "Service/pp/packetparamedic-operator-metrics");
        assertThat(env(documented, "PACKETPARAMEDIC_OPERATOR_LEASE_NAME")).isEqualTo("packetparamedic-operator");

        Manifests renamed = Packaging.helmTemplate("pp", "--set", "nameOverride=reflector-op");
        assertThat(renamed.ids()).contains("Deployment/pp/packetparamedic-reflector-op");
        assertThat(renamed.one("Deployment", "packetparamedic-reflector-op")
                        .path("spec")
                        .path("selector")
                        .path("matchLabels")
                        .path("app.kubernetes.io/name")
                        .asText())
                .isEqualTo("reflector-op");

        Manifests full = Packaging.helmTemplate("pp", "--set", "fullnameOverride=pp-op");
        assertThat(full.ids())
                .contains(
                        "Deployment/pp/pp-op",
                        "ServiceAccount/pp/pp-op",
                        "ClusterRole/pp-op",
                        "Role/pp/pp-op-leader-election",
                        "Service/pp/pp-op-metrics");
        assertThat(full.ids()).noneMatch(id -> id.contains("packetparamedic-packetparamedic"));
    }

    @Test
    void imageDigestPinsTheOperatorImage() {
        String digest = "sha256:" + "0123456789abcdef".repeat(4);
        JsonNode container = Packaging.helmTemplate("pp", "--set", "image.digest=" + digest, "--set", "image.tag=9.9.9")
                .ofKind("Deployment")
                .get(0)
                .path("spec")
                .path("template")
                .path("spec")
                .path("containers")
                .get(0);
        assertThat(container.path("image").asText()).isEqualTo("ghcr.io/packetparamedic/reflector-operator@" + digest);

        Exec.Result lint = Packaging.helm("lint", Packaging.CHART, "--set", "image.digest=latest");
        assertThat(lint.exitCode()).as("%s", lint).isNotZero();
        assertThat(lint.stdout() + lint.stderr()).contains("digest");
    }

    @Test
    void crdsAreTemplatesEqualToTheGeneratedOnesKeptOnUninstallAndSwitchable() throws Exception {
        Manifests m = Packaging.helmTemplate("pp");
        List<java.nio.file.Path> generated = Repo.files(Repo.path("crds"), ".*\\.ya?ml");
        assertThat(m.ofKind("CustomResourceDefinition")).hasSize(generated.size());
        for (java.nio.file.Path file : generated) {
            JsonNode source = ArgoCdHealth.readYaml(file);
            JsonNode rendered = m.one(
                    "CustomResourceDefinition",
                    source.path("metadata").path("name").asText());
            // Not from Helm's crds/ (installed once, never upgraded): a template, so upgrades apply it.
            assertThat(m.yaml()).contains("# Source: packetparamedic-operator/templates/crds.yaml");
            assertThat(rendered.path("metadata")
                            .path("annotations")
                            .path("helm.sh/resource-policy")
                            .asText())
                    .isEqualTo("keep");
            // Helm's fromYaml reads numbers as floats and prints 0.0 as 0: equal as numbers.
            assertThat(rendered.path("spec").equals(NUMBERS_BY_VALUE, source.path("spec")))
                    .as(
                            "spec of %s rendered as\n%s",
                            file.getFileName(), rendered.path("spec").toPrettyString())
                    .isTrue();
        }
        assertThat(Packaging.helmTemplate("pp", "--set", "crds.install=false").ofKind("CustomResourceDefinition"))
                .isEmpty();
        assertThat(Packaging.helmTemplate("pp", "--set", "crds.keep=false").ofKind("CustomResourceDefinition"))
                .allSatisfy(crd -> assertThat(
                                crd.path("metadata").path("annotations").has("helm.sh/resource-policy"))
                        .isFalse());
        assertThat(Repo.path(Packaging.CHART + "/crds"))
                .as("Helm's crds/ would install them a second time")
                .doesNotExist();
    }

    @Test
    void logFormatSelectsQuarkusJsonLogging() {
        assertThat(env(Packaging.helmTemplate("pp"), "QUARKUS_LOG_CONSOLE_JSON_ENABLED"))
                .isEqualTo("false");
        assertThat(env(Packaging.helmTemplate("pp", "--set", "logFormat=json"), "QUARKUS_LOG_CONSOLE_JSON_ENABLED"))
                .isEqualTo("true");
        Exec.Result lint = Packaging.helm("lint", Packaging.CHART, "--set", "logFormat=xml");
        assertThat(lint.exitCode()).as("%s", lint).isNotZero();
        assertThat(lint.stdout() + lint.stderr()).contains("logFormat");
    }

    @Test
    void prometheusRuleFollowsItsToggleAndCarriesTheAlerts() {
        assertThat(Packaging.helmTemplate("pp").ofKind("PrometheusRule")).isEmpty();
        Manifests m = Packaging.helmTemplate(
                "pp",
                "--set",
                "prometheusRule.enabled=true,prometheusRule.labels.release=prom,prometheusRule.alertLabels.team=net,"
                        + "prometheusRule.heartbeatStaleSeconds=300");
        JsonNode rule = m.one("PrometheusRule", "packetparamedic-packetparamedic-operator");
        assertThat(rule.path("metadata").path("labels").path("release").asText())
                .isEqualTo("prom");
        List<String> alerts = new ArrayList<>();
        for (JsonNode r : PrometheusRules.rules(rule)) {
            alerts.add(r.path("alert").asText());
            assertThat(r.path("labels").path("team").asText()).as("%s", r).isEqualTo("net");
            assertThat(r.path("labels").path("severity").asText()).as("%s", r).isNotBlank();
            // Prometheus' templates survive Helm's: {{ $labels.x }} reaches the rule verbatim.
            assertThat(r.path("annotations").path("summary").asText())
                    .as("%s", r)
                    .contains("{{ $")
                    .doesNotContain("<no value>");
        }
        assertThat(alerts)
                .containsExactly(
                        "PacketParamedicReflectorDown",
                        "PacketParamedicReflectorHeartbeatStale",
                        "PacketParamedicSessionsDeniedForQuota",
                        "PacketParamedicIdentityRotationStuck",
                        "PacketParamedicPairingWindowExpiredUnused");
        assertThat(PrometheusRules.expressions(rule)).anyMatch(e -> e.contains("> 300"));
    }

    static String envOrNull(Manifests m, String name) {
        try {
            return env(m, name);
        } catch (AssertionError e) {
            return null;
        }
    }

    static String env(Manifests m, String name) {
        JsonNode deployment = m.ofKind("Deployment").get(0);
        for (JsonNode e : deployment
                .path("spec")
                .path("template")
                .path("spec")
                .path("containers")
                .get(0)
                .path("env")) {
            if (e.path("name").asText().equals(name)) {
                return e.path("value").asText();
            }
        }
        throw new AssertionError("no env " + name + " in\n" + deployment.toPrettyString());
    }
}
