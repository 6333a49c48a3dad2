package io.packetparamedic.api.crd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The CRDs under {@code crds/} are generated from the Java types by the crd-generator plugin at
 * build time (into target/classes/META-INF/fabric8). The checked-in copies are what users,
 * the Helm chart and the test harness apply, so they must never drift from the types.
 * Run with {@code -Dcrds.update=true} to rewrite them after changing a type.
 */
class CrdDriftTest {

    static final List<String> CRDS = List.of(
            "reflectorinstances.packetparamedic.io-v1.yml",
            "authorizedpeers.packetparamedic.io-v1.yml",
            "pairingwindows.packetparamedic.io-v1.yml");

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
            assertThat(checkedIn).as("checked-in CRD %s (regenerate: ./mvnw -pl api verify -Dcrds.update=true)", name)
                    .exists();
            assertThat(Files.readString(checkedIn, StandardCharsets.UTF_8))
                    .as("%s drifted from the Java types; regenerate: ./mvnw -pl api verify -Dcrds.update=true", checkedIn)
                    .isEqualTo(generated);
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
                .contains("status: {}")
                .contains("name: \"Endpoint ID\"", "name: \"Ready\"", "name: \"Address\"", "name: \"Peers\"",
                        "name: \"Active\"", "name: \"Age\"");
        String peers = generated(CRDS.get(1));
        assertThat(peers).contains("pattern: \"^PP(-[0-9A-HJKMNP-TV-Z]{4}){13}-[0-9A-HJKMNP-TV-Z]$\"")
                .contains("name: \"Last Seen\"", "name: \"Reflector\"");
        String windows = generated(CRDS.get(2));
        assertThat(windows).contains("- \"Expired\"", "name: \"Paired Peer\"", "name: \"Expires\"", "name: \"Phase\"");
    }

    private static String generated(String name) throws IOException {
        try (InputStream in = CrdDriftTest.class.getResourceAsStream("/META-INF/fabric8/" + name)) {
            assertThat(in).as("generated CRD %s on the classpath", name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
