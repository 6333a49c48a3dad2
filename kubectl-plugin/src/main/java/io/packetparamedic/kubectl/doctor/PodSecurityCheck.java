package io.packetparamedic.kubectl.doctor;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.packetparamedic.api.crd.ReflectorInstance;
import io.packetparamedic.kubectl.InstancePorts;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reflector pods use the host network, which Pod Security admission refuses unless the
 * namespace enforces "privileged" (or nothing, where the cluster default applies). Checked for the
 * namespace given with -n, else for every namespace holding a hostNetwork instance.
 */
final class PodSecurityCheck implements Check {

    static final String NAME = "pod security";
    static final String ENFORCE = "pod-security.kubernetes.io/enforce";

    @Override
    public List<Finding> run(Scope scope) {
        Map<String, TreeSet<String>> byNamespace = new TreeMap<>();
        scope.namespace.ifPresent(n -> byNamespace.put(n, new TreeSet<>()));
        for (ReflectorInstance ri : scope.instances()) {
            if (InstancePorts.of(ri.getSpec()).hostNetwork()) {
                byNamespace
                        .computeIfAbsent(ri.getMetadata().getNamespace(), n -> new TreeSet<>())
                        .add(ri.getMetadata().getName());
            }
        }
        if (byNamespace.isEmpty()) {
            return List.of(scope.instancesUnavailable()
                    .map(why -> Finding.warn(NAME, "not checked: " + why))
                    .orElse(Finding.ok(NAME, "no hostNetwork ReflectorInstances in " + scope.where())));
        }
        List<Finding> findings = new ArrayList<>();
        byNamespace.forEach((ns, instances) -> findings.add(check(scope, ns, instances)));
        return findings;
    }

    private static Finding check(Scope scope, String ns, TreeSet<String> instances) {
        Namespace namespace;
        try {
            namespace = scope.client.namespaces().withName(ns).get();
        } catch (KubernetesClientException e) {
            return Finding.warn(NAME, "namespace " + ns + ": cannot read its labels (" + Scope.reason(e) + ")");
        }
        if (namespace == null) return Finding.fail(NAME, "namespace " + ns + " does not exist");
        Map<String, String> labels = namespace.getMetadata().getLabels() == null
                ? Map.of()
                : namespace.getMetadata().getLabels();
        String level = labels.get(ENFORCE);
        String who = instances.isEmpty()
                ? "hostNetwork reflector pods"
                : "the hostNetwork pods of " + String.join(", ", instances);
        if (level == null) {
            return Finding.ok(
                    NAME, "namespace " + ns + ": no " + ENFORCE + " label (the cluster default applies) for " + who);
        }
        if ("privileged".equals(level)) {
            return Finding.ok(NAME, "namespace " + ns + " enforces privileged: allows " + who);
        }
        return Finding.fail(
                NAME,
                "namespace " + ns + " enforces " + level + ", which refuses " + who + " (kubectl label namespace " + ns
                        + " " + ENFORCE + "=privileged --overwrite)");
    }
}
