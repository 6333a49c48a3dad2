package io.packetparamedic.reflector.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.packetparamedic.api.identity.EndpointId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 2 item 2: show-id creates the key once, rotate-identity replaces it, bad key files are refused. */
class IdentityCommandsTest {

    @TempDir
    Path dir;

    Path config;
    Path keyFile;

    @BeforeEach
    void setUp() throws Exception {
        config = Cli.configIn(dir, "");
        keyFile = dir.resolve("state/identity.ed25519");
    }

    @Test
    void firstRunCreatesA32ByteOwnerOnlyKeyAndPrintsItsId() throws Exception {
        Cli.Result r = Cli.run("-c", config.toString(), "show-id");

        assertThat(r.exitCode()).isZero();
        assertThat(Files.size(keyFile)).isEqualTo(32);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)))
                .isEqualTo("rw-------");
        assertThat(EndpointId.parse(r.outLine()).toString()).isEqualTo(r.outLine());
        assertThat(r.err()).contains("created a new identity key at " + keyFile);
    }

    @Test
    void secondRunPrintsTheSameIdWithoutRecreatingTheKey() throws Exception {
        Cli.Result first = Cli.run("show-id", "-c", config.toString());
        byte[] seed = Files.readAllBytes(keyFile);

        Cli.Result second = Cli.run("-c", config.toString(), "show-id");

        assertThat(second.exitCode()).isZero();
        assertThat(second.outLine()).isEqualTo(first.outLine());
        assertThat(second.err()).doesNotContain("created");
        assertThat(Files.readAllBytes(keyFile)).isEqualTo(seed);
    }

    @Test
    void rotateIdentityPrintsANewIdThatShowIdThenReportsAndAuditsBoth() throws Exception {
        String before = Cli.run("-c", config.toString(), "show-id").outLine();

        Cli.Result rotated = Cli.run("-c", config.toString(), "rotate-identity");

        assertThat(rotated.exitCode()).isZero();
        String after = rotated.outLine();
        assertThat(after).isNotEqualTo(before);
        EndpointId.parse(after);
        assertThat(Cli.run("-c", config.toString(), "show-id").outLine()).isEqualTo(after);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)))
                .isEqualTo("rw-------");
        assertThat(Files.size(keyFile)).isEqualTo(32);

        List<String> lines = Files.readAllLines(dir.resolve("state/audit.jsonl"));
        assertThat(lines).hasSize(1);
        JsonNode line = new ObjectMapper().readTree(lines.get(0));
        assertThat(line.path("event_type").asText()).isEqualTo("identity_rotated");
        assertThat(line.path("endpoint_id").asText()).isEqualTo(after);
        assertThat(line.path("params").path("old_endpoint_id").asText()).isEqualTo(before);
        assertThat(line.path("params").path("new_endpoint_id").asText()).isEqualTo(after);
    }

    @Test
    void keyFileOfTheWrongLengthIsRefusedWithAClearMessageAndLeftAlone() throws Exception {
        Files.createDirectories(keyFile.getParent());
        byte[] notAKey = new byte[31];
        Files.write(keyFile, notAKey);

        Cli.Result show = Cli.run("-c", config.toString(), "show-id");
        Cli.Result rotate = Cli.run("-c", config.toString(), "rotate-identity");

        for (Cli.Result r : List.of(show, rotate)) {
            assertThat(r.exitCode()).isEqualTo(1);
            assertThat(r.out()).isEmpty();
            assertThat(r.err().lines()).hasSize(1);
            assertThat(r.err())
                    .contains(keyFile.toString())
                    .contains("31 bytes")
                    .contains("32-byte");
            assertThat(r.err()).doesNotContain("\tat ").doesNotContain("Exception");
        }
        assertThat(Files.readAllBytes(keyFile)).isEqualTo(notAKey);
    }
}
