package io.packetparamedic.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetparamedic.e2e.harness.Repo;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The chart (crds-source/, which its templates/crds.yaml renders) and the kustomize base hold
 * copies of the generated CRDs, because neither tool reads files above its own directory. They must stay identical to
 * the top-level crds/; {@code -Dpackaging.update=true} refreshes them.
 */
class CrdCopiesTest {

    @ParameterizedTest
    @ValueSource(strings = {"charts/packetparamedic-operator/crds-source", "config/crds/bases"})
    void copyIsByteForByteTheGeneratedCrds(String copyDir) {
        Path source = Repo.path("crds");
        List<Path> generated = Repo.files(source, ".*\\.ya?ml");
        assertThat(generated).as("generated CRDs in %s", source).hasSize(3);
        Path copies = Repo.path(copyDir);
        if (Packaging.UPDATE) {
            Repo.files(copies, ".*\\.ya?ml").forEach(p -> p.toFile().delete());
            generated.forEach(p -> Repo.write(copies.resolve(p.getFileName()), Repo.read(p)));
        }
        assertThat(Repo.files(copies, ".*\\.ya?ml").stream()
                        .map(p -> p.getFileName().toString()))
                .as("files in %s (refresh with -Dpackaging.update=true)", copyDir)
                .containsExactlyElementsOf(
                        generated.stream().map(p -> p.getFileName().toString()).toList());
        for (Path file : generated) {
            assertThat(Repo.read(copies.resolve(file.getFileName())))
                    .as("%s/%s differs from crds/ (refresh with -Dpackaging.update=true)", copyDir, file.getFileName())
                    .isEqualTo(Repo.read(file));
        }
    }

    @org.junit.jupiter.api.Test
    void kustomizationListsEveryCrd() {
        String kustomization = Repo.read(Repo.path("config/crds/kustomization.yaml"));
        for (Path file : Repo.files(Repo.path("crds"), ".*\\.ya?ml")) {
            assertThat(kustomization).contains("bases/" + file.getFileName());
        }
    }
}
