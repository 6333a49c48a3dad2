package io.packetparamedic.reflector.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetparamedic.reflector.build.BuildInfo;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Exit codes, --version, --help, and the admin-backed commands without a server. */
class GeneralCommandsTest {

    @TempDir
    Path dir;

    @Test
    void versionPrintsTheBuildVersionAndCommit() {
        Cli.Result r = Cli.run("--version");

        assertThat(r.exitCode()).isZero();
        assertThat(r.outLine())
                .matches("reflector \\d+\\.\\d+\\.\\d+(-SNAPSHOT)? \\(commit ([0-9a-f]{7,40}|unknown)\\)");
        assertThat(r.outLine()).contains(BuildInfo.current().version()).doesNotContain("${");
    }

    @Test
    void helpListsEveryCommandAndExitsZero() {
        Cli.Result r = Cli.run("--help");

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("show-id", "rotate-identity", "pair", "status", "--config", "--local");
    }

    @Test
    void usageErrorsExitWith2() {
        assertThat(Cli.run("no-such-command").exitCode()).isEqualTo(2);
        assertThat(Cli.run().exitCode()).isEqualTo(2);
        assertThat(Cli.run("pair", "--ttl", "ten minutes").exitCode()).isEqualTo(2);
        assertThat(Cli.run("pair", "--ttl", "0s").exitCode()).isEqualTo(2);
        assertThat(Cli.run("pair", "--code", "ABC").exitCode()).isEqualTo(2);
        Cli.Result badOption = Cli.run("show-id", "--frobnicate");
        assertThat(badOption.exitCode()).isEqualTo(2);
        assertThat(badOption.err()).contains("--frobnicate");
    }

    @Test
    void pairAndStatusWithoutARunningServerSaySoAndExit1() throws Exception {
        Path config = Cli.configIn(dir, "");
        Path socket = dir.resolve("state/admin.sock");

        for (String command : new String[] {"pair", "status"}) {
            Cli.Result r = Cli.run("-c", config.toString(), command);
            assertThat(r.exitCode()).as(command).isEqualTo(1);
            assertThat(r.err().strip())
                    .as(command)
                    .isEqualTo("error: no running reflector: cannot connect to " + socket);
            assertThat(r.out()).as(command).isEmpty();
        }
    }
}
