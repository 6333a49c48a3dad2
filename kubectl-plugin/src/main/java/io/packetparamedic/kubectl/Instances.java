package io.packetparamedic.kubectl;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.packetparamedic.api.crd.ReflectorInstance;
import java.util.List;
import java.util.Optional;

/** Looking up a ReflectorInstance by name, and reading its conditions. */
public final class Instances {

    private Instances() {}

    public static Resource<ReflectorInstance> resource(KubernetesClient client, String name) {
        return client.resources(ReflectorInstance.class)
                .inNamespace(client.getNamespace())
                .withName(name);
    }

    /** The instance, or a one-line error naming what was looked for. */
    public static ReflectorInstance require(KubernetesClient client, String name) {
        ReflectorInstance ri = resource(client, name).get();
        if (ri == null) {
            throw new PluginException(
                    ExitCodes.FAILED,
                    "reflectorinstance \"" + name + "\" not found in namespace " + client.getNamespace()
                            + " (kubectl get reflectors -A lists them)");
        }
        return ri;
    }

    public static Optional<Condition> condition(List<Condition> conditions, String type) {
        return conditions == null
                ? Optional.empty()
                : conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
    }

    public static boolean isTrue(List<Condition> conditions, String type) {
        return condition(conditions, type)
                .map(c -> "True".equals(c.getStatus()))
                .orElse(false);
    }
}
