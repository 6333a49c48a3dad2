package io.packetparamedic.reflector.kube;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The API client of a Kubernetes-mode reflector. Inside a pod it authenticates with the mounted
 * service-account token (re-read by the client when it is rotated); outside one, with the
 * kubeconfig given by {@code --kubeconfig} or {@code KUBECONFIG} — in the e2e tests a kubeconfig
 * holding a token of the instance's ServiceAccount, so the reflector has exactly the pod's rights.
 */
public final class KubeClients {

    private static final int REQUEST_TIMEOUT_MS = 10_000;
    private static final int CONNECT_TIMEOUT_MS = 5_000;

    private KubeClients() {}

    /** Which credentials a client was built from, for the start-up banner. */
    public record Built(KubernetesClient client, String source) {}

    /**
     * @throws IllegalStateException when there is neither a kubeconfig nor an in-pod environment
     */
    public static Built create(Optional<Path> kubeconfigOption, Map<String, String> env, String namespace) {
        Optional<Path> kubeconfig = kubeconfigOption.or(() -> Optional.ofNullable(env.get("KUBECONFIG"))
                .filter(v -> !v.isBlank())
                .map(v -> Path.of(v.split(File.pathSeparator)[0])));
        Config config;
        String source;
        if (kubeconfig.isPresent()) {
            try {
                // fromKubeconfig reads only this file: no ~/.kube/config, no environment overrides.
                config = Config.fromKubeconfig(Files.readString(kubeconfig.get(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new IllegalStateException(
                        "cannot read kubeconfig " + kubeconfig.get() + ": " + e.getMessage(), e);
            }
            source = "kubeconfig " + kubeconfig.get();
        } else if (KubeSettings.inPod(env)) {
            config = Config.autoConfigure(null);
            source = "in-cluster service account";
        } else {
            throw new IllegalStateException(
                    "Kubernetes mode outside a pod needs a kubeconfig (--kubeconfig or KUBECONFIG)");
        }
        Config tuned = new ConfigBuilder(config)
                .withNamespace(namespace)
                .withRequestTimeout(REQUEST_TIMEOUT_MS)
                .withConnectionTimeout(CONNECT_TIMEOUT_MS)
                .build();
        return new Built(new KubernetesClientBuilder().withConfig(tuned).build(), source);
    }
}
