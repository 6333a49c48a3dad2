package io.packetparamedic.api.crd;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.crdv2.generator.CRDGenerator;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CRDs under {@code crds/} are generated from the Java types by Fabric8's crd-generator
 * (the same generator and settings as its Maven plugin) with one post-processing step,
 * {@link DeclaredPrinterColumnOrder}, because the generator sorts printer columns by JSON path.
 * The checked-in copies are what users, the Helm chart and the test harness apply, so they must
 * never drift from the types. Run with {@code -Dcrds.update=true} to rewrite them after changing
 * a type.
 */
class CrdDriftTest {

    static final List<Class<? extends CustomResource<?, ?>>> RESOURCE_CLASSES =
            List.of(ReflectorInstance.class, AuthorizedPeer.class, PairingWindow.class);

    static final List<String> CRDS = List.of(
            "reflectorinstances.packetparamedic.io-v1.yml",
            "authorizedpeers.packetparamedic.io-v1.yml",
            "pairingwindows.packetparamedic.io-v1.yml");

    private static final KubernetesSerialization YAML = new KubernetesSerialization();

    @TempDir
    static Path generatedDir;

    @BeforeAll
    static void generateCrds() {
        List<Class<? extends HasMetadata>> classes = List.copyOf(RESOURCE_CLASSES);
        int emitted = new CRDGenerator()
                .customResourceClasses(classes)
                .withParallelGenerationEnabled(false)
                .withImplicitPreserveUnknownFields(false)
                .withMinQuotes(false)
                .withPostProcessor(new DeclaredPrinterColumnOrder(RESOURCE_CLASSES))
                .inOutputDir(generatedDir.toFile())
                .generate();
        assertThat(emitted).as("CRDs emitted").isEqualTo(CRDS.size());
    }

    @Test
    void checkedInCrdsMatchTheGeneratedOnes() throws IOException {
        Path dir = Path.of(System.getProperty("crds.dir", "../crds"));
        boolean update = Boolean.getBoolean("crds.update");
        for (String name : CRDS) {
            String generated = generated(name);
            Path checkedIn = dir.resolve(name);
            if (update) {
                Files.createDirectories(dir);
                Files.writeString(checkedIn, generated, StandardCharsets.UTF_8);
            }
            assertThat(checkedIn)
                    .as("checked-in CRD %s (regenerate: ./mvnw -pl api test -Dcrds.update=true)", name)
                    .exists();
            assertThat(Files.readString(checkedIn, StandardCharsets.UTF_8))
                    .as("%s drifted from the Java types; regenerate: ./mvnw -pl api test -Dcrds.update=true", checkedIn)
                    .isEqualTo(generated);
        }
    }

    @Test
    void printerColumnsComeInTheOrderKubectlShouldPrint() throws IOException {
        assertThat(printerColumnNames(CRDS.get(0)))
                .containsExactly(
                        "Endpoint ID",
                        "Ready",
                        "Reason",
                        "Address",
                        "Peers",
                        "Active",
                        "Phase",
                        "Full Endpoint ID",
                        "Age");
        assertThat(printerColumnNames(CRDS.get(1)))
                .containsExactly(
                        "Endpoint ID",
                        "Reflector",
                        "State",
                        "Ready",
                        "Reason",
                        "Valid",
                        "Last Seen",
                        "Full Endpoint ID",
                        "Age");
        assertThat(printerColumnNames(CRDS.get(2)))
                .containsExactly(
                        "Reflector", "Phase", "Ready", "Reason", "Expires At", "Paired Peer", "Code Secret", "Age");
    }

    @Test
    void everyDeclaredPrinterColumnIsGenerated() throws IOException {
        for (int i = 0; i < CRDS.size(); i++) {
            CustomResourceDefinition crd = YAML.unmarshal(generated(CRDS.get(i)), CustomResourceDefinition.class);
            assertThat(crd.getSpec().getVersions().get(0).getAdditionalPrinterColumns())
                    .extracting(CustomResourceColumnDefinition::getJsonPath)
                    .containsExactlyElementsOf(DeclaredPrinterColumnOrder.declaredJsonPaths(RESOURCE_CLASSES.get(i)));
        }
    }

    @Test
    void schemasCarryTheValidationTheOperatorRelies() throws IOException {
        String instances = generated(CRDS.get(0));
        assertThat(instances)
                .contains("rule: \"self.start <= self.end\"")
                .contains("- \"reflector\"", "- \"reflectors\"", "- \"packetparamedic\"")
                .contains("maximum: 65535.0")
                .contains("- \"direct_ephemeral\"")
                .contains("status: {}");
        String peers = generated(CRDS.get(1));
        assertThat(peers).contains("pattern: \"^PP(-[0-9A-HJKMNP-TV-Z]{4}){13}-[0-9A-HJKMNP-TV-Z]$\"");
        String windows = generated(CRDS.get(2));
        assertThat(windows).contains("- \"Expired\"");
    }

    private static List<String> printerColumnNames(String name) throws IOException {
        CustomResourceDefinition crd = YAML.unmarshal(generated(name), CustomResourceDefinition.class);
        assertThat(crd.getSpec().getVersions()).as("versions of %s", name).hasSize(1);
        return crd.getSpec().getVersions().get(0).getAdditionalPrinterColumns().stream()
                .map(CustomResourceColumnDefinition::getName)
                .toList();
    }

    private static String generated(String name) throws IOException {
        Path file = generatedDir.resolve(name);
        assertThat(file).as("generated CRD %s", name).exists();
        return Files.readString(file, StandardCharsets.UTF_8);
    }
}
