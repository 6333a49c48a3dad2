package io.packetparamedic.kubectl.doctor;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import java.util.Optional;

/**
 * The operator's Deployment, found by its label (the Helm chart's and config/manager's
 * app.kubernetes.io/name) in one namespace or in all, has all its replicas ready; readiness is
 * the operator's /q/health/ready, which fails while its controllers are not running.
 */
final class OperatorCheck implements Check {

    static final String NAME = "operator";

    private final Optional<String> namespace;
    private final String selector;

    OperatorCheck(Optional<String> namespace, String selector) {
        this.namespace = namespace;
        this.selector = selector;
    }

    @Override
    public List<Finding> run(Scope scope) {
        List<Deployment> found;
        String where = namespace.map(n -> "namespace " + n).orElse("any namespace");
        try {
            var deployments = scope.client.apps().deployments();
            found = (namespace.isPresent()
                            ? deployments
                                    .inNamespace(namespace.get())
                                    .withLabelSelector(selector)
                                    .list()
                            : deployments
                                    .inAnyNamespace()
                                    .withLabelSelector(selector)
                                    .list())
                    .getItems();
        } catch (KubernetesClientException e) {
            return List.of(Finding.warn(
                    NAME,
                    "cannot list Deployments in " + where + " (" + Scope.reason(e) + "); try --operator-namespace"));
        }
        if (found.isEmpty()) {
            return List.of(Finding.fail(
                    NAME,
                    "no Deployment labelled " + selector + " in " + where
                            + ": the operator is not installed (or pass --operator-namespace/--operator-selector)"));
        }
        return found.stream().map(OperatorCheck::replicas).toList();
    }

    private static Finding replicas(Deployment d) {
        int wanted = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
        int ready = d.getStatus() == null || d.getStatus().getReadyReplicas() == null
                ? 0
                : d.getStatus().getReadyReplicas();
        String text = "Deployment " + Scope.key(d) + ": " + ready + "/" + wanted + " replicas ready";
        if (wanted == 0) return Finding.fail(NAME, text + " (scaled to zero)");
        if (ready == 0)
            return Finding.fail(
                    NAME,
                    text + " (kubectl logs -n " + d.getMetadata().getNamespace() + " deployment/"
                            + d.getMetadata().getName() + ")");
        if (ready < wanted) return Finding.warn(NAME, text);
        return Finding.ok(NAME, text);
    }
}
