package io.packetparamedic.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.packetparamedic.e2e.harness.Repo;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The {@code argocd-cm} snippet installing the health checks is generated from the same
 * {@code health.lua} files the Lua tests run, so what Argo CD gets is what was tested.
 */
class ArgoCdConfigMapTest {

    static final String SNIPPET = "config/argocd/argocd-cm-health.yaml";

    /** The snippet as it must be, from the scripts on disk. */
    static String render() {
        StringBuilder out = new StringBuilder();
        out.append("# Generated from config/argocd/packetparamedic.io/<Kind>/health.lua; do not edit by hand.\n")
                .append(
                        "# Regenerate: ./mvnw -B -pl packaging-tests test -Dtest=ArgoCdConfigMapTest -Dpackaging.update=true\n")
                .append("# Install with server-side apply, which adds these keys to argocd-cm and leaves the others:\n")
                .append(
                        "#   kubectl apply --server-side --field-manager=packetparamedic -f config/argocd/argocd-cm-health.yaml\n")
                .append("# or list it under `patches:` of the kustomization that installs Argo CD.\n")
                .append("apiVersion: v1\n")
                .append("kind: ConfigMap\n")
                .append("metadata:\n")
                .append("  name: argocd-cm\n")
                .append("  namespace: argocd\n")
                .append("  labels:\n")
                .append("    app.kubernetes.io/name: argocd-cm\n")
                .append("    app.kubernetes.io/part-of: argocd\n")
                .append("data:\n");
        for (String kind : ArgoCdHealth.KINDS) {
            out.append("  ").append(key(kind)).append(": |\n");
            for (String line : Repo.read(script(kind)).split("\n", -1)) {
                if (!line.isEmpty()) {
                    out.append("    ").append(line);
                }
                out.append('\n');
            }
            // split(-1) yields a trailing empty element for the file's final newline: drop its line.
            out.setLength(out.length() - 1);
        }
        return out.toString();
    }

    static String key(String kind) {
        return "resource.customizations.health." + ArgoCdHealth.GROUP + "_" + kind;
    }

    static Path script(String kind) {
        return ArgoCdHealth.kindDir(kind).resolve("health.lua");
    }

    @Test
    void snippetHoldsExactlyTheTestedScripts() {
        Path snippet = Repo.path(SNIPPET);
        String expected = render();
        if (Packaging.UPDATE) {
            Repo.write(snippet, expected);
        }
        assertThat(snippet)
                .as("%s is missing; run with -Dpackaging.update=true", SNIPPET)
                .isRegularFile();
        assertThat(Repo.read(snippet))
                .as("%s is stale; run with -Dpackaging.update=true to regenerate it", SNIPPET)
                .isEqualTo(expected);

        // Parsed the way Argo CD reads it: each key's value is the script, byte for byte.
        JsonNode configMap = ArgoCdHealth.readYaml(snippet);
        assertThat(configMap.path("kind").asText()).isEqualTo("ConfigMap");
        assertThat(configMap.path("metadata").path("name").asText()).isEqualTo("argocd-cm");
        assertThat(configMap.path("data").size()).isEqualTo(ArgoCdHealth.KINDS.size());
        for (String kind : ArgoCdHealth.KINDS) {
            assertThat(configMap.path("data").path(key(kind)).asText())
                    .as("data[%s]", key(kind))
                    .isEqualTo(Repo.read(script(kind)));
        }
    }
}
