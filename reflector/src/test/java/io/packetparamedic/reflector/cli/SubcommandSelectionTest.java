package io.packetparamedic.reflector.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link ReflectorCli#main} builds the command line with only the subcommand it runs (the others'
 * picocli models cost a long-running serve 2.3 MiB): which one the arguments invoke, and that help,
 * version and mistakes still see them all.
 */
class SubcommandSelectionTest {

    private static Map<String, ?> subcommandsFor(String... args) {
        return ReflectorCli.commandLine(
                        Map.of(), new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), args)
                .getSubcommands();
    }

    @Test
    void theInvokedSubcommandIsFoundPastTheOptionsAndTheirValues() {
        assertThat(ReflectorCli.invoked(new String[] {"serve", "--local"})).contains(ServeCommand.class);
        assertThat(ReflectorCli.invoked(new String[] {"--local", "serve"})).contains(ServeCommand.class);
        assertThat(ReflectorCli.invoked(new String[] {"-c", "serve", "show-config"}))
                .contains(ShowConfigCommand.class);
        assertThat(ReflectorCli.invoked(new String[] {"--config", "a.toml", "client", "throughput"}))
                .contains(ClientCommand.class);
        assertThat(ReflectorCli.invoked(new String[] {"--log-format", "json", "peers", "list"}))
                .contains(PeersCommand.class);
        assertThat(ReflectorCli.invoked(new String[] {"--log-format=json", "-cfile.toml", "status"}))
                .contains(StatusCommand.class);
    }

    @Test
    void helpVersionAndUnknownNamesGetEverySubcommand() {
        assertThat(ReflectorCli.invoked(new String[] {"help", "serve"})).isEmpty();
        assertThat(ReflectorCli.invoked(new String[] {"--version"})).isEmpty();
        assertThat(ReflectorCli.invoked(new String[] {"servee"})).isEmpty();
        assertThat(ReflectorCli.invoked(new String[] {})).isEmpty();
        assertThat(subcommandsFor("help", "serve")).hasSize(ReflectorCli.SUBCOMMANDS.size());
        assertThat(subcommandsFor("serve", "--local")).containsOnlyKeys("serve");
        assertThat(subcommandsFor("-c", "a.toml", "client", "udp-echo")).containsOnlyKeys("client");
    }

    @Test
    void aMisspelledCommandIsStillAnsweredWithTheNearestOne() {
        Cli.Result r = Cli.run(Map.of(), "servee");
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.err()).contains("servee").contains("serve");
    }

    @Test
    void inheritedOptionsReachASubcommandAddedAlone() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("subcommand-selection");
        java.nio.file.Path file = Cli.configIn(dir, "[quotas]\nmax_tests_per_hour_per_peer = 3\n");
        // After the subcommand, -c is the root's option inherited by it (ScopeType.INHERIT).
        Cli.Result lean = Cli.run(Map.of(), "show-config", "-c", file.toString());
        assertThat(lean.exitCode()).as(lean.err()).isZero();
        assertThat(lean.out()).contains("max_tests_per_hour_per_peer = 3");
    }
}
