package io.packetparamedic.reflector.kube;

import io.packetparamedic.api.crd.Labels;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Where a Kubernetes-mode reflector finds its Secrets and what it reports about its pod. Names
 * default to the operator's conventions ({@code <instance>-identity}, {@code <instance>-config});
 * the operator also sets them explicitly in the Deployment's environment ({@code
 * REFLECTOR_IDENTITY_SECRET} etc.), which wins, so a user-supplied identity Secret is followed.
 *
 * @param listenOverride control listener instead of the config's (env {@code REFLECTOR_LISTEN_ADDRESS} or {@code --bind})
 * @param healthOverride health listener instead of the config's (env {@code REFLECTOR_HEALTH_LISTEN_ADDRESS})
 * @param dataDirOverride audit log and state directory instead of the config's (env {@code REFLECTOR_DATA_DIR})
 * @param reportsPerNode one node of a PerNode instance (env {@code REFLECTOR_STATUS_SCOPE=node}): the
 *     instance's status is reported into status.nodeReports under the node's name
 */
public record KubeSettings(
        InstanceRef instance,
        String identitySecret,
        String identityKey,
        String configSecret,
        String configKey,
        Optional<String> podName,
        Optional<String> nodeName,
        Optional<String> hostIp,
        Optional<InetSocketAddress> listenOverride,
        Optional<InetSocketAddress> healthOverride,
        Optional<Path> dataDirOverride,
        boolean reportsPerNode) {

    /** The service-account token a pod gets mounted (its presence, with the API env, means "in a pod"). */
    public static final Path SERVICE_ACCOUNT_TOKEN = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/token");

    public static final String ENV_INSTANCE = "REFLECTOR_INSTANCE";
    public static final String ENV_IDENTITY_SECRET = "REFLECTOR_IDENTITY_SECRET";
    public static final String ENV_IDENTITY_KEY = "REFLECTOR_IDENTITY_KEY";
    public static final String ENV_CONFIG_SECRET = "REFLECTOR_CONFIG_SECRET";
    public static final String ENV_CONFIG_KEY = "REFLECTOR_CONFIG_KEY";
    public static final String ENV_LISTEN = "REFLECTOR_LISTEN_ADDRESS";
    public static final String ENV_HEALTH_LISTEN = "REFLECTOR_HEALTH_LISTEN_ADDRESS";
    public static final String ENV_DATA_DIR = "REFLECTOR_DATA_DIR";
    public static final String ENV_STATUS_SCOPE = "REFLECTOR_STATUS_SCOPE";

    /**
     * True inside a pod: the API server's address is in the environment and a service-account
     * token is mounted.
     */
    public static boolean inPod(Map<String, String> env) {
        return present(env, "KUBERNETES_SERVICE_HOST") && Files.isReadable(SERVICE_ACCOUNT_TOKEN);
    }

    /**
     * The instance to serve, if Kubernetes mode applies: {@code --instance}, else {@code
     * REFLECTOR_INSTANCE}, else nothing (standalone). A bare name takes the pod's namespace.
     */
    public static Optional<InstanceRef> instance(String option, Map<String, String> env) {
        String value = option != null && !option.isBlank() ? option : env.get(ENV_INSTANCE);
        if (value == null || value.isBlank()) return Optional.empty();
        return Optional.of(InstanceRef.parse(value, env.get("POD_NAMESPACE")));
    }

    public static KubeSettings resolve(
            InstanceRef instance, Map<String, String> env, Optional<InetSocketAddress> bind) {
        return new KubeSettings(
                instance,
                env.getOrDefault(ENV_IDENTITY_SECRET, instance.name() + "-identity"),
                env.getOrDefault(ENV_IDENTITY_KEY, Labels.IDENTITY_KEY),
                env.getOrDefault(ENV_CONFIG_SECRET, instance.name() + "-config"),
                env.getOrDefault(ENV_CONFIG_KEY, Labels.CONFIG_KEY),
                value(env, "POD_NAME"),
                value(env, "NODE_NAME"),
                value(env, "HOST_IP"),
                bind.or(() -> value(env, ENV_LISTEN).map(io.packetparamedic.reflector.wire.Addresses::parse)),
                value(env, ENV_HEALTH_LISTEN).map(io.packetparamedic.reflector.wire.Addresses::parse),
                value(env, ENV_DATA_DIR).map(Path::of),
                value(env, ENV_STATUS_SCOPE).filter("node"::equals).isPresent());
    }

    private static Optional<String> value(Map<String, String> env, String key) {
        return Optional.ofNullable(env.get(key)).map(String::strip).filter(v -> !v.isEmpty());
    }

    private static boolean present(Map<String, String> env, String key) {
        return value(env, key).isPresent();
    }
}
