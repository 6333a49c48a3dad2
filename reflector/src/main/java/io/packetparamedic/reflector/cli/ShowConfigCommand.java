package io.packetparamedic.reflector.cli;

import io.packetparamedic.api.config.ConfigLoader;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Prints the effective configuration (file values over defaults) as TOML, and on stderr where it
 * came from: what an operator checks before {@code serve}, and what the config tests observe.
 */
@Command(
        name = "show-config",
        mixinStandardHelpOptions = true,
        description = "Print the effective configuration as TOML (defaults filled in); its source goes to stderr.")
final class ShowConfigCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        ReflectorCli cli = ReflectorCli.root(spec);
        ConfigLoader.Loaded loaded = cli.loadConfig(spec.commandLine().getErr());
        spec.commandLine().getErr().println("configuration: " + cli.configDescription(loaded));
        spec.commandLine().getErr().flush();
        spec.commandLine().getOut().print(ConfigLoader.render(loaded.config()));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
