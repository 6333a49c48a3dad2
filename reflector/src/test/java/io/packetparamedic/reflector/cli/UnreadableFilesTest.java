package io.packetparamedic.reflector.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetparamedic.api.identity.Ed25519Identity;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A configuration or key file the reflector may not read is reported as "permission denied" with
 * its path. The CLI runs in a child JVM; when the tests run as root it runs without the
 * capabilities that let root read any file (setpriv), so mode 000 means to it what it means to
 * any other user.
 */
class UnreadableFilesTest {

    @TempDir
    Path dir;

    record Run(int exitCode, String err) {}

    static Run runUnprivileged(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            command.addAll(List.of("setpriv", "--bounding-set", "-dac_override,-dac_read_search"));
        }
        command.addAll(ServeProcess.cliCommand(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().remove("REFLECTOR_CONFIG");
        Process p = pb.start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), err);
    }

    @Test
    void anUnreadableConfigurationFileIsPermissionDeniedWithItsPath() throws Exception {
        Path config = Cli.configIn(dir, "");
        Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("---------"));

        Run r = runUnprivileged("-c", config.toString(), "show-config");

        assertThat(r.exitCode()).as(r.err()).isEqualTo(1);
        assertThat(r.err()).startsWith("error: " + config + ": cannot read configuration file: permission denied");
    }

    @Test
    void anUnreadableKeyFileIsPermissionDeniedWithItsPath() throws Exception {
        Path config = Cli.configIn(dir, "");
        Path key = dir.resolve("state/identity.ed25519");
        Ed25519Identity.loadOrCreate(key);
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("---------"));

        Run r = runUnprivileged("-c", config.toString(), "show-id");

        assertThat(r.exitCode()).as(r.err()).isEqualTo(1);
        assertThat(r.err()).startsWith("error: cannot read identity key file " + key + ": permission denied");
    }
}
