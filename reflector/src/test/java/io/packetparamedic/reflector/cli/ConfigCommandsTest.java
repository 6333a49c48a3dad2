package io.packetparamedic.reflector.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.packetparamedic.api.config.ConfigLoader;
import io.packetparamedic.api.config.ReflectorConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 2 item 7: which configuration the CLI uses, and how it fails. */
class ConfigCommandsTest {

    @TempDir
    Path dir;

    /** An environment whose XDG config home is empty, so only what a test names is found. */
    Map<String, String> emptyEnv() {
        return Map.of("XDG_CONFIG_HOME", dir.resolve("xdg").toString());
    }

    static ReflectorConfig printed(Cli.Result r) {
        return ConfigLoader.parse(r.out(), "show-config output").config();
    }

    @Test
    void noFileMeansTheBuiltInDefaults() {
        assumeFalse(Files.exists(ConfigLoader.SYSTEM_CONFIG), "this machine has a system-wide config");

        Cli.Result r = Cli.run(emptyEnv(), "show-config");

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).isEqualTo(ConfigLoader.render(new ReflectorConfig()));
        assertThat(r.err()).contains("configuration: built-in defaults");
    }

    @Test
    void aPartialFileKeepsTheDefaultsForEverythingElse() throws Exception {
        Path file = dir.resolve("partial.toml");
        Files.writeString(file, "[quotas]\nmax_concurrent_tests = 3\n");

        Cli.Result r = Cli.run(emptyEnv(), "-c", file.toString(), "show-config");

        assertThat(r.exitCode()).isZero();
        ReflectorConfig c = printed(r);
        ReflectorConfig defaults = new ReflectorConfig();
        assertThat(c.quotas.maxConcurrentTests).isEqualTo(3);
        assertThat(c.quotas.maxTestDurationSec).isEqualTo(defaults.quotas.maxTestDurationSec);
        assertThat(c.network.listenAddress).isEqualTo("0.0.0.0:4000");
        assertThat(c.identity.privateKeyPath).isEqualTo(defaults.identity.privateKeyPath);
        assertThat(r.err()).contains("configuration: " + file);
    }

    @Test
    void malformedTomlIsAnErrorNamingTheFile() throws Exception {
        Path file = dir.resolve("broken.toml");
        Files.writeString(file, "[network\nlisten_address = \"0.0.0.0:4000\"\n");

        for (String command : new String[] {"show-config", "show-id", "pair", "status", "rotate-identity"}) {
            Cli.Result r = Cli.run(emptyEnv(), "-c", file.toString(), command);
            assertThat(r.exitCode()).as(command).isEqualTo(1);
            assertThat(r.err()).as(command).startsWith("error: " + file).contains("malformed TOML");
            assertThat(r.err().lines()).as(command).hasSize(1);
        }
    }

    @Test
    void anInvalidValueNamesFileAndKey() throws Exception {
        Path file = dir.resolve("invalid.toml");
        Files.writeString(file, "[network]\nmode = \"teleport\"\n");

        Cli.Result r = Cli.run(emptyEnv(), "-c", file.toString(), "show-config");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains(file.toString()).contains("network.mode");
    }

    @Test
    void reflectorConfigEnvironmentVariableIsHonouredAndDashCBeatsIt() throws Exception {
        Path fromEnv = dir.resolve("env.toml");
        Files.writeString(fromEnv, "[network]\nlisten_address = \"127.0.0.1:4100\"\n");
        Path fromFlag = dir.resolve("flag.toml");
        Files.writeString(fromFlag, "[network]\nlisten_address = \"127.0.0.1:4200\"\n");
        Map<String, String> env = Map.of(
                "REFLECTOR_CONFIG",
                fromEnv.toString(),
                "XDG_CONFIG_HOME",
                dir.resolve("xdg").toString());

        Cli.Result viaEnv = Cli.run(env, "show-config");
        Cli.Result viaFlag = Cli.run(env, "show-config", "--config", fromFlag.toString());

        assertThat(viaEnv.exitCode()).isZero();
        assertThat(printed(viaEnv).network.listenAddress).isEqualTo("127.0.0.1:4100");
        assertThat(viaEnv.err()).contains("configuration: " + fromEnv);
        assertThat(printed(viaFlag).network.listenAddress).isEqualTo("127.0.0.1:4200");
    }

    @Test
    void aMissingFileNamedByReflectorConfigIsAnError() {
        Path missing = dir.resolve("nope.toml");

        Cli.Result r = Cli.run(Map.of("REFLECTOR_CONFIG", missing.toString()), "show-config");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains(missing.toString()).contains("does not exist");
    }

    @Test
    void xdgConfigHomeIsUsedWhenNothingElseIsNamed() throws Exception {
        assumeFalse(Files.exists(ConfigLoader.SYSTEM_CONFIG), "this machine has a system-wide config");
        Path xdgFile = dir.resolve("xdg/reflector/reflector.toml");
        Files.createDirectories(xdgFile.getParent());
        Files.writeString(xdgFile, "[iperf3]\nmax_streams = 16\n");

        Cli.Result r = Cli.run(emptyEnv(), "show-config");

        assertThat(printed(r).iperf3.maxStreams).isEqualTo(16);
        assertThat(r.err()).contains("configuration: " + xdgFile);
    }

    @Test
    void unknownKeysAreErrorsWithASuggestionUnlessAllowed() throws Exception {
        Path file = dir.resolve("old.toml");
        Files.writeString(
                file, "[network]\nlisten_address = \"127.0.0.1:4300\"\nlisten_adress_health = \"127.0.0.1:4301\"\n");

        Cli.Result refused = Cli.run(emptyEnv(), "-c", file.toString(), "show-config");
        Cli.Result allowed = Cli.run(emptyEnv(), "--allow-unknown-keys", "-c", file.toString(), "show-config");

        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.out()).isEmpty();
        assertThat(refused.err())
                .isEqualTo("error: " + file + ": unknown key network.listen_adress_health "
                        + "(did you mean network.listen_address_health?)\n");
        assertThat(allowed.exitCode()).isZero();
        assertThat(allowed.err()).contains("warning: " + file + ": unknown key network.listen_adress_health");
        assertThat(printed(allowed).network.listenAddress).isEqualTo("127.0.0.1:4300");
    }

    @Test
    void localUsesTheEmbeddedConfigurationForRunningWithoutRoot() {
        Cli.Result r = Cli.run(emptyEnv(), "show-config", "--local");

        assertThat(r.exitCode()).isZero();
        ReflectorConfig c = printed(r);
        assertThat(c.network.listenAddress).isEqualTo("127.0.0.1:4000");
        assertThat(c.network.listenAddressHealth).isEqualTo("127.0.0.1:7301");
        assertThat(c.access.pairingEnabled).isTrue();
        String home = System.getProperty("user.home");
        assertThat(c.privateKeyPath()).isEqualTo(Path.of(home, ".local/share/reflector/identity.ed25519"));
        assertThat(c.auditLogPath()).isEqualTo(Path.of(home, ".local/share/reflector/audit.jsonl"));
        assertThat(c.dataDir()).isEqualTo(Path.of(home, ".local/share/reflector"));
        assertThat(r.err()).contains("embedded reflector-local.toml");
    }

    @Test
    void localAndConfigTogetherAreAUsageError() throws Exception {
        Path file = Cli.configIn(dir, "");

        Cli.Result r = Cli.run(emptyEnv(), "--local", "-c", file.toString(), "show-config");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--local and --config cannot be combined");
    }
}
