package io.packetparamedic.kubectl.doctor;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.packetparamedic.api.crd.ReflectorInstance;
import java.util.List;
import java.util.Optional;

/**
 * What the checks look at: one namespace (-n) or all of them. The instances are listed once,
 * lazily, and are empty (with the reason) when their CRD is missing or listing them is forbidden.
 */
final class Scope {

    final KubernetesClient client;
    final Optional<String> namespace;
    private List<ReflectorInstance> instances;
    private String unavailable;

    Scope(KubernetesClient client, Optional<String> namespace) {
        this.client = client;
        this.namespace = namespace;
    }

    String where() {
        return namespace.map(n -> "namespace " + n).orElse("all namespaces");
    }

    /** The instances in scope, or empty when {@link #instancesUnavailable()} says why not. */
    List<ReflectorInstance> instances() {
        if (instances == null) {
            try {
                var op = client.resources(ReflectorInstance.class);
                instances = (namespace.isPresent()
                                ? op.inNamespace(namespace.get()).list()
                                : op.inAnyNamespace().list())
                        .getItems();
            } catch (KubernetesClientException e) {
                instances = List.of();
                unavailable = e.getCode() == 404
                        ? "the ReflectorInstance CRD is not served"
                        : "cannot list ReflectorInstances in " + where() + ": " + reason(e);
            }
        }
        return instances;
    }

    Optional<String> instancesUnavailable() {
        instances();
        return Optional.ofNullable(unavailable);
    }

    static String key(HasMetadata r) {
        return r.getMetadata().getNamespace() + "/" + r.getMetadata().getName();
    }

    static String reason(KubernetesClientException e) {
        if (e.getCode() == 403) return "forbidden";
        return e.getStatus() != null && e.getStatus().getMessage() != null
                ? e.getStatus().getMessage()
                : e.getMessage();
    }
}
