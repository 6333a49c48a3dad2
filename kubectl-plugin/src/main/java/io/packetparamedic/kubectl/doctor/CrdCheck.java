package io.packetparamedic.kubectl.doctor;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.packetparamedic.api.crd.AuthorizedPeer;
import io.packetparamedic.api.crd.PairingWindow;
import io.packetparamedic.api.crd.ReflectorInstance;
import java.util.ArrayList;
import java.util.List;

/** The three CRDs exist, are Established, and serve the version this plugin speaks. */
final class CrdCheck implements Check {

    static final String NAME = "CRDs";
    private static final List<Class<? extends HasMetadata>> TYPES =
            List.of(ReflectorInstance.class, AuthorizedPeer.class, PairingWindow.class);

    @Override
    public List<Finding> run(Scope scope) {
        List<Finding> findings = new ArrayList<>();
        for (Class<? extends HasMetadata> type : TYPES) {
            findings.add(check(scope, HasMetadata.getFullResourceName(type), HasMetadata.getVersion(type)));
        }
        return findings;
    }

    private static Finding check(Scope scope, String name, String version) {
        CustomResourceDefinition crd;
        try {
            crd = scope.client
                    .apiextensions()
                    .v1()
                    .customResourceDefinitions()
                    .withName(name)
                    .get();
        } catch (KubernetesClientException e) {
            return Finding.warn(NAME, name + ": cannot read CRDs (" + Scope.reason(e) + ")");
        }
        if (crd == null) {
            return Finding.fail(
                    NAME,
                    name + " is not installed (kubectl apply --server-side -f config/crds/bases/, or the Helm chart)");
        }
        if (crd.getMetadata().getDeletionTimestamp() != null) {
            return Finding.fail(NAME, name + " is being deleted");
        }
        boolean established = crd.getStatus() != null
                && crd.getStatus().getConditions() != null
                && crd.getStatus().getConditions().stream()
                        .anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus()));
        if (!established) {
            return Finding.fail(NAME, name + " exists but is not Established");
        }
        List<String> served = crd.getSpec().getVersions().stream()
                .filter(v -> Boolean.TRUE.equals(v.getServed()))
                .map(CustomResourceDefinitionVersion::getName)
                .toList();
        String storage = crd.getSpec().getVersions().stream()
                .filter(v -> Boolean.TRUE.equals(v.getStorage()))
                .map(CustomResourceDefinitionVersion::getName)
                .findFirst()
                .orElse("?");
        if (!served.contains(version)) {
            return Finding.fail(NAME, name + " serves " + served + ", this plugin speaks " + version);
        }
        return Finding.ok(NAME, name + " serves " + String.join(", ", served) + " (storage " + storage + ")");
    }
}
