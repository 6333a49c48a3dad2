package io.packetparamedic.e2e.harness;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A running cluster as tests see it: an admin client, the admin kubeconfig, kubectl, and
 * helpers to act as a ServiceAccount or get a fresh namespace. Closing it closes the clients
 * it handed out and runs the cluster's own shutdown (stopping a local control plane or a
 * container; for an existing cluster, deleting the namespaces the harness created).
 */
public final class KubeTestCluster implements AutoCloseable {

    /** Label on every namespace the harness creates, so leftovers are easy to find. */
    public static final String E2E_LABEL = "packetparamedic.io/e2e";

    private static final Duration KUBECTL_TIMEOUT = Duration.ofMinutes(2);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final ClusterKind kind;
    private final Path kubeconfig;
    private final Path kubectl;
    private final Config adminConfig;
    private final KubernetesClient client;
    private final AutoCloseable shutdown;
    private final List<KubernetesClient> derivedClients = new CopyOnWriteArrayList<>();
    private final Set<String> createdNamespaces = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final List<KubeNode> nodes;
    private volatile ApiServerSwitch apiServer;

    KubeTestCluster(ClusterKind kind, Path kubeconfig, Path kubectl, AutoCloseable shutdown) {
        this(kind, kubeconfig, kubectl, shutdown, List.of());
    }

    KubeTestCluster(ClusterKind kind, Path kubeconfig, Path kubectl, AutoCloseable shutdown, List<KubeNode> nodes) {
        this.nodes = List.copyOf(nodes);
        this.kind = kind;
        this.kubeconfig = kubeconfig;
        this.kubectl = kubectl;
        this.shutdown = shutdown;
        try {
            // fromKubeconfig reads only this file: nothing from ~/.kube or the environment leaks in.
            this.adminConfig = Config.fromKubeconfig(Files.readString(kubeconfig, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read kubeconfig " + kubeconfig, e);
        }
        this.client = new KubernetesClientBuilder().withConfig(adminConfig).build();
    }

    public ClusterKind kind() {
        return kind;
    }

    /**
     * The (first) real node of a {@code @KubeCluster(node = true)} cluster, the one that carries
     * the control plane; empty otherwise.
     */
    public java.util.Optional<KubeNode> node() {
        return nodes.stream().findFirst();
    }

    /**
     * Every real node the cluster was started with, the first one first (name and address of
     * each: {@link KubeNode#name()}, {@link KubeNode#address()}); empty without real nodes. A node
     * stopped by a test ({@code node.sh stop-node b}) stays listed.
     */
    public List<KubeNode> nodes() {
        return nodes;
    }

    /**
     * Stops and starts this cluster's API server (outage tests). Only the local control plane
     * has one the harness may stop.
     *
     * @throws IllegalStateException for other kinds of cluster
     */
    public ApiServerSwitch apiServer() {
        ApiServerSwitch s = apiServer;
        if (s == null)
            throw new IllegalStateException("a " + kind + " cluster's API server cannot be stopped by the harness");
        return s;
    }

    KubeTestCluster withApiServerSwitch(ApiServerSwitch s) {
        this.apiServer = s;
        return this;
    }

    /** The admin client (cluster-admin or system:masters, depending on the cluster). */
    public KubernetesClient client() {
        return client;
    }

    /** Path of the admin kubeconfig. */
    public Path kubeconfigPath() {
        return kubeconfig;
    }

    /** A copy of the admin client configuration. */
    public Config adminConfig() {
        return new ConfigBuilder(adminConfig).build();
    }

    /** The API server's URL. */
    public String serverUrl() {
        return adminConfig.getMasterUrl();
    }

    /** The kubectl binary {@link #kubectl(String...)} runs. */
    public Path kubectlBinary() {
        return kubectl;
    }

    /** A bound token (TokenRequest API) for a ServiceAccount, valid for {@code validity}. */
    public String serviceAccountToken(String namespace, String serviceAccount, Duration validity) {
        TokenRequest request = new TokenRequestBuilder()
                .withNewSpec()
                .withExpirationSeconds(validity.toSeconds())
                .endSpec()
                .build();
        TokenRequest answer = client.serviceAccounts()
                .inNamespace(namespace)
                .withName(serviceAccount)
                .tokenRequest(request);
        return answer.getStatus().getToken();
    }

    /**
     * A client that authenticates as {@code system:serviceaccount:<namespace>:<name>} with a
     * one-hour bound token, trusting the same CA as the admin client. The ServiceAccount must
     * exist. The client is closed with the cluster; closing it earlier is fine.
     */
    public KubernetesClient clientForServiceAccount(String namespace, String name) {
        String token = serviceAccountToken(namespace, name, Duration.ofHours(1));
        // Start from an empty config, not the admin one: the admin's client certificate would
        // otherwise be presented too, and the API server would authenticate us as admin.
        Config config = new ConfigBuilder(Config.empty())
                .withMasterUrl(adminConfig.getMasterUrl())
                .withCaCertData(adminConfig.getCaCertData())
                .withCaCertFile(adminConfig.getCaCertFile())
                .withTrustCerts(adminConfig.isTrustCerts())
                .withDisableHostnameVerification(adminConfig.isDisableHostnameVerification())
                .withOauthToken(token)
                .withNamespace(namespace)
                .withRequestTimeout(adminConfig.getRequestTimeout())
                .withConnectionTimeout(adminConfig.getConnectionTimeout())
                .build();
        KubernetesClient c = new KubernetesClientBuilder().withConfig(config).build();
        derivedClients.add(c);
        return c;
    }

    /** Runs kubectl with the admin kubeconfig. */
    public KubectlResult kubectl(String... args) {
        return kubectlWithInput(null, args);
    }

    /**
     * {@code kubectl patch --type=merge} of one object, as a user changes a field by hand (through
     * kubectl's own field manager, unlike a client update); fails the test when kubectl does.
     */
    public void mergePatch(String namespace, String resource, String name, String json) {
        kubectl("patch", "-n", namespace, resource, name, "--type=merge", "-p", json)
                .orThrow();
    }

    /** Runs kubectl with the admin kubeconfig, feeding {@code stdin} (may be null) to it. */
    public KubectlResult kubectlWithInput(String stdin, String... args) {
        List<String> command = new ArrayList<>();
        command.add(kubectl.toString());
        command.add("--kubeconfig=" + kubeconfig);
        command.addAll(List.of(args));
        // Keep kubectl from reading the developer's own configuration or caching discovery next to it.
        return KubectlResult.of(Exec.of(command)
                .input(stdin)
                .unset("KUBECONFIG")
                .env(Map.of(
                        "KUBECACHEDIR",
                        kubeconfig.getParent().resolve(".kube-cache").toString()))
                .timeout(KUBECTL_TIMEOUT)
                .run());
    }

    /**
     * Writes a kubeconfig that authenticates as {@code system:serviceaccount:<namespace>:<name>}
     * with a bound token valid for {@code validity}, for a process that must have exactly that
     * account's rights (an operator or reflector run as its pod would be).
     */
    public Path writeServiceAccountKubeconfig(String namespace, String serviceAccount, Duration validity, Path file)
            throws IOException {
        String ca = adminConfig.getCaCertData();
        if (ca == null || ca.isBlank()) {
            ca = Base64.getEncoder()
                    .encodeToString(Files.readAllBytes(Path.of(
                            Objects.requireNonNull(adminConfig.getCaCertFile(), "the admin kubeconfig names no CA"))));
        }
        String token = serviceAccountToken(namespace, serviceAccount, validity);
        String yaml = """
        apiVersion: v1
        kind: Config
        clusters:
        - name: test
          cluster:
            server: %s
            certificate-authority-data: %s
        users:
        - name: %s
          user:
            token: %s
        contexts:
        - name: %s
          context:
            cluster: test
            user: %s
            namespace: %s
        current-context: %s
        """.formatted(
                        adminConfig.getMasterUrl(),
                        ca,
                        serviceAccount,
                        token,
                        serviceAccount,
                        serviceAccount,
                        namespace,
                        serviceAccount);
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, yaml, StandardCharsets.UTF_8);
        return file;
    }

    /**
     * Creates a namespace named {@code <prefix>-<random>} (lower-cased, trimmed to a valid DNS
     * label) labelled {@value #E2E_LABEL}=true and returns its name.
     */
    public String createNamespace(String prefix) {
        String slug =
                prefix.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]+", "-").replaceAll("^-+|-+$", "");
        if (slug.isEmpty()) {
            slug = "e2e";
        }
        byte[] suffix = new byte[3];
        RANDOM.nextBytes(suffix);
        String tail = "-" + HexFormat.of().formatHex(suffix);
        slug = slug.substring(0, Math.min(slug.length(), 63 - tail.length())).replaceAll("-+$", "");
        String name = slug + tail;
        client.namespaces()
                .resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .addToLabels(E2E_LABEL, "true")
                        .endMetadata()
                        .build())
                .create();
        createdNamespaces.add(name);
        return name;
    }

    /** A namespace that is deleted when the returned handle is closed. */
    public TestNamespace newTestNamespace(String prefix) {
        return new TestNamespace(client, createNamespace(prefix));
    }

    @Override
    public void close() throws Exception {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        derivedClients.forEach(KubernetesClient::close);
        if (kind != ClusterKind.LOCAL) {
            // A local control plane is thrown away whole; a shared cluster keeps what we leave.
            for (String ns : createdNamespaces) {
                try {
                    client.namespaces().withName(ns).delete();
                } catch (RuntimeException e) {
                    System.err.println("[kube-harness] could not delete namespace " + ns + ": " + e.getMessage());
                }
            }
        }
        client.close();
        shutdown.close();
    }
}
