package io.packetparamedic.kubectl;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * kubectl's cluster flags. Without {@code --kubeconfig} the client reads {@code $KUBECONFIG} or
 * {@code ~/.kube/config} as kubectl does (kubectl also passes its own {@code --kubeconfig},
 * {@code --context} and {@code -n} through to plugins unchanged).
 */
public final class ClusterOptions {

    @Option(
            names = {"-n", "--namespace"},
            scope = ScopeType.INHERIT,
            paramLabel = "NAMESPACE",
            description = "Namespace of the reflector (default: the kubeconfig context's namespace).")
    String namespace;

    @Option(
            names = "--context",
            scope = ScopeType.INHERIT,
            paramLabel = "CONTEXT",
            description = "The kubeconfig context to use (default: current-context).")
    String context;

    @Option(
            names = "--kubeconfig",
            scope = ScopeType.INHERIT,
            paramLabel = "FILE",
            description = "Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config).")
    Path kubeconfig;

    /** A client for the chosen kubeconfig and context, with {@code -n} as its namespace if given. */
    public KubernetesClient connect() {
        Config config;
        if (kubeconfig != null) {
            if (!Files.isReadable(kubeconfig)) {
                throw new PluginException(ExitCodes.FAILED, "cannot read kubeconfig " + kubeconfig);
            }
            config = Config.fromKubeconfig(context, kubeconfig.toFile());
        } else {
            config = Config.autoConfigure(context);
        }
        if (context != null
                && (config.getCurrentContext() == null
                        || !context.equals(config.getCurrentContext().getName()))) {
            // Fabric8 falls back to current-context for an unknown name; kubectl refuses it.
            throw new PluginException(ExitCodes.FAILED, "context \"" + context + "\" not found in the kubeconfig");
        }
        // One attempt, as kubectl makes: the client's default retries with back-off keep a user
        // waiting about 25 s before saying the API server is unreachable.
        config.setRequestRetryBackoffLimit(0);
        if (namespace != null) {
            config.setNamespace(namespace);
        } else if (config.getNamespace() == null) {
            config.setNamespace("default");
        }
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    /** The namespace given with {@code -n}, if any (doctor looks at all namespaces without it). */
    public Optional<String> explicitNamespace() {
        return Optional.ofNullable(namespace);
    }
}
