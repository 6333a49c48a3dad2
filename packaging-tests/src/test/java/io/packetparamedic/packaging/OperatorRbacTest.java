package io.packetparamedic.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.packetparamedic.e2e.harness.Exec;
import io.packetparamedic.e2e.harness.KubeCluster;
import io.packetparamedic.e2e.harness.KubeTestCluster;
import io.packetparamedic.e2e.harness.OperatorProcess;
import io.packetparamedic.e2e.harness.Repo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The chart's RBAC is enough for the operator: the chart is installed for real into the test
 * API server, the packaged operator runs with the rendered Deployment's environment and a token
 * of the chart's ServiceAccount (and nothing else), and it reconciles the three samples from
 * config/samples: identity and config Secrets, the pod's RBAC, the Deployment, Events, peer
 * validation, the pairing code Secret and its leader-election Lease.
 */
@KubeCluster
class OperatorRbacTest {

    static final Duration CONVERGE = Duration.ofSeconds(120);
    static final String GROUP_VERSION = "packetparamedic.io/v1alpha1";

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"listed-namespace", "cluster-wide"})
    void chartServiceAccountSufficesToReconcileTheSamples(String mode, KubeTestCluster cluster) throws Exception {
        KubernetesClient admin = cluster.client();
        String operatorNs = cluster.createNamespace("pp-operator-" + mode);
        String watched = cluster.createNamespace("reflectors-" + mode);
        String release = "pp-" + (mode.equals("cluster-wide") ? "cw" : "ns");
        String fullname = release + "-packetparamedic-operator";
        Path work = Files.createDirectories(Repo.path("packaging-tests/target/operator-rbac/" + mode));

        List<String> install = new java.util.ArrayList<>(List.of(
                "install",
                release,
                Packaging.CHART,
                "--namespace",
                operatorNs,
                "--kubeconfig",
                cluster.kubeconfigPath().toString(),
                // The harness installed the CRDs already (not as part of a release).
                "--set",
                "crds.install=false"));
        if (mode.equals("listed-namespace")) {
            install.addAll(List.of("--set", "watchNamespaces={" + watched + "}"));
        }
        // Pinned reflector images (issue 12, item 8): the chart's value reaches the operator.
        install.addAll(List.of("--set", "reflector.allowedImages={registry.example/reflector@sha256:*}"));
        Exec.Result installed = Packaging.helm(install.toArray(String[]::new)).orThrow();
        assertThat(installed.stdout()).contains("STATUS: deployed").contains("Pair an appliance");

        Manifests manifest = Manifests.parse(Packaging.helm(
                        "get",
                        "manifest",
                        release,
                        "--namespace",
                        operatorNs,
                        "--kubeconfig",
                        cluster.kubeconfigPath().toString())
                .orThrow()
                .stdout());
        Map<String, String> env = containerEnv(manifest.one("Deployment", fullname), operatorNs);
        String serviceAccount = manifest.one("Deployment", fullname)
                .path("spec")
                .path("template")
                .path("spec")
                .path("serviceAccountName")
                .asText();
        Path kubeconfig = cluster.writeServiceAccountKubeconfig(
                operatorNs, serviceAccount, Duration.ofHours(1), work.resolve("operator.kubeconfig"));

        // The token really is restricted: what the chart does not grant is refused.
        try (KubernetesClient asOperator = cluster.clientForServiceAccount(operatorNs, serviceAccount)) {
            assertThatThrownBy(() -> asOperator.persistentVolumes().list())
                    .isInstanceOf(KubernetesClientException.class)
                    .satisfies(e -> assertThat(((KubernetesClientException) e).getCode())
                            .isEqualTo(403));
            // Nodes: read (PerNode placement), never written.
            assertThat(asOperator.nodes().list().getItems()).isNotNull();
            assertThatThrownBy(() -> asOperator.nodes().withName("any").delete())
                    .isInstanceOf(KubernetesClientException.class)
                    .satisfies(e -> assertThat(((KubernetesClientException) e).getCode())
                            .isEqualTo(403));
            if (mode.equals("listed-namespace")) {
                assertThatThrownBy(() ->
                                asOperator.secrets().inNamespace("kube-system").list())
                        .satisfies(e -> assertThat(((KubernetesClientException) e).getCode())
                                .isEqualTo(403));
            }
        }

        try (OperatorProcess operator = OperatorProcess.start(kubeconfig, env, work.resolve("operator.log"))) {
            for (Path sample : Repo.files(Repo.path("config/samples"), ".*\\.ya?ml")) {
                cluster.kubectl("apply", "--server-side", "-n", watched, "-f", sample.toString())
                        .orThrow();
            }
            String why = "operator log tail:\n";
            try {
                JsonNode instance = await(
                        admin,
                        watched,
                        "ReflectorInstance",
                        "edge",
                        status -> status.path("endpointId").asText().startsWith("PP-")
                                && condition(status, "IdentityReady").equals("True"));
                String endpointId = instance.path("endpointId").asText();
                assertThat(admin.secrets()
                                .inNamespace(watched)
                                .withName("edge-identity")
                                .get()
                                .getMetadata()
                                .getAnnotations())
                        .containsEntry("packetparamedic.io/endpoint-id", endpointId);
                assertThat(admin.secrets()
                                .inNamespace(watched)
                                .withName("edge-config")
                                .get()
                                .getData())
                        .containsKey("reflector.toml");
                assertThat(admin.serviceAccounts()
                                .inNamespace(watched)
                                .withName("edge-reflector")
                                .get())
                        .isNotNull();
                assertThat(admin.rbac()
                                .roles()
                                .inNamespace(watched)
                                .withName("edge-reflector")
                                .get())
                        .isNotNull();
                assertThat(admin.rbac()
                                .roleBindings()
                                .inNamespace(watched)
                                .withName("edge-reflector")
                                .get())
                        .isNotNull();
                assertThat(admin.apps()
                                .deployments()
                                .inNamespace(watched)
                                .withName("edge-reflector")
                                .get()
                                .getSpec()
                                .getTemplate()
                                .getSpec()
                                .getHostNetwork())
                        .isTrue();

                await(
                        admin,
                        watched,
                        "AuthorizedPeer",
                        "kitchen-pi",
                        status -> condition(status, "Valid").equals("True"));
                JsonNode window = await(
                        admin,
                        watched,
                        "PairingWindow",
                        "new-appliance",
                        status -> "Open".equals(status.path("phase").asText()));
                assertThat(admin.secrets()
                                .inNamespace(watched)
                                .withName(window.path("codeSecret").asText())
                                .get())
                        .isNotNull();

                // Pairing consumed: the operator creates the AuthorizedPeer and deletes the code Secret.
                String appliance = io.packetparamedic.api.identity.Ed25519Identity.generate()
                        .endpointId()
                        .toString();
                admin.genericKubernetesResources(GROUP_VERSION, "PairingWindow")
                        .inNamespace(watched)
                        .withName("new-appliance")
                        .subresource("status")
                        .patch(
                                new PatchContext.Builder()
                                        .withPatchType(PatchType.SERVER_SIDE_APPLY)
                                        .withFieldManager("packetparamedic-reflector")
                                        .withForce(true)
                                        .build(),
                                """
                {"apiVersion":"%s","kind":"PairingWindow","metadata":{"name":"new-appliance","namespace":"%s"},
                 "status":{"pairedEndpointId":"%s"}}
                """.formatted(GROUP_VERSION, watched, appliance));
                JsonNode consumed = await(
                        admin,
                        watched,
                        "PairingWindow",
                        "new-appliance",
                        status -> "Consumed".equals(status.path("phase").asText()));
                assertThat(consumed.path("authorizedPeer").asText()).isEqualTo("new-appliance");
                await(
                        admin,
                        watched,
                        "AuthorizedPeer",
                        "new-appliance",
                        status -> condition(status, "Valid").equals("True"));
                assertThat(admin.secrets()
                                .inNamespace(watched)
                                .withName(window.path("codeSecret").asText())
                                .waitUntilCondition(java.util.Objects::isNull, CONVERGE.toSeconds(), TimeUnit.SECONDS))
                        .isNull();

                // An image outside reflector.allowedImages: Degraded, and no Deployment.
                cluster.kubectlWithInput("""
            apiVersion: %s
            kind: ReflectorInstance
            metadata: {name: blocked, namespace: %s}
            spec:
              image: evil.example/miner:latest
              network: {controlPort: 4100, healthPort: 7401, dataPortRange: {start: 5301, end: 5399}}
            """.formatted(GROUP_VERSION, watched), "apply", "--server-side", "-f", "-")
                        .orThrow();
                JsonNode blocked = await(
                        admin,
                        watched,
                        "ReflectorInstance",
                        "blocked",
                        status -> condition(status, "Degraded").equals("True"));
                assertThat(blocked.toString()).contains("ImageNotAllowed").contains("evil.example/miner:latest");
                assertThat(admin.apps()
                                .deployments()
                                .inNamespace(watched)
                                .withName("blocked-reflector")
                                .get())
                        .isNull();

                // Events and the Lease: the last two permissions the chart grants.
                assertThat(admin.v1().events().inNamespace(watched).list().getItems())
                        .anyMatch(e -> "IdentityCreated".equals(e.getReason()));
                assertThat(admin.leases()
                                .inNamespace(operatorNs)
                                .withName(fullname)
                                .get())
                        .as("leader-election Lease %s/%s", operatorNs, fullname)
                        .isNotNull();
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError(e.getMessage() + "\n" + why + operator.logTail(), e);
            }
            assertThat(operator.isAlive())
                    .as("operator still running\n%s", operator.logTail())
                    .isTrue();
            assertThat(operator.log()).as("the operator was refused something").doesNotContainIgnoringCase("forbidden");
        } finally {
            Packaging.helm(
                    "uninstall",
                    release,
                    "--namespace",
                    operatorNs,
                    "--kubeconfig",
                    cluster.kubeconfigPath().toString());
        }
    }

    static String condition(JsonNode status, String type) {
        for (JsonNode c : status.path("conditions")) {
            if (type.equals(c.path("type").asText())) {
                return c.path("status").asText();
            }
        }
        return "";
    }

    /** Waits (through a watch) until the object's status satisfies {@code ready}; returns the status. */
    static JsonNode await(
            KubernetesClient client, String namespace, String kind, String name, Predicate<JsonNode> ready) {
        MixedOperation<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>>
                op = client.genericKubernetesResources(GROUP_VERSION, kind);
        try {
            GenericKubernetesResource r = op.inNamespace(namespace)
                    .withName(name)
                    .waitUntilCondition(
                            o -> o != null && ready.test(statusOf(o)), CONVERGE.toSeconds(), TimeUnit.SECONDS);
            return statusOf(r);
        } catch (KubernetesClientException e) {
            GenericKubernetesResource last =
                    op.inNamespace(namespace).withName(name).get();
            throw new AssertionError(
                    kind + " " + namespace + "/" + name + " did not converge within " + CONVERGE + "; last status: "
                            + (last == null ? "(gone)" : statusOf(last)),
                    e);
        }
    }

    static JsonNode statusOf(GenericKubernetesResource r) {
        Object status = r.getAdditionalProperties().get("status");
        return ArgoCdHealth.YAML.valueToTree(status == null ? Map.of() : status);
    }

    /** The operator container's env, with the downward-API fields a pod would get. */
    static Map<String, String> containerEnv(JsonNode deployment, String namespace) {
        Map<String, String> env = new LinkedHashMap<>();
        for (JsonNode e : deployment
                .path("spec")
                .path("template")
                .path("spec")
                .path("containers")
                .get(0)
                .path("env")) {
            String name = e.path("name").asText();
            if (e.has("value")) {
                env.put(name, e.path("value").asText());
            } else {
                String field =
                        e.path("valueFrom").path("fieldRef").path("fieldPath").asText();
                env.put(
                        name,
                        switch (field) {
                            case "metadata.namespace" -> namespace;
                            case "metadata.name" -> "operator-under-test";
                            default -> throw new AssertionError("unexpected env source " + e);
                        });
            }
        }
        return env;
    }
}
