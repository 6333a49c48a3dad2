package io.packetparamedic.reflector.cli;

import io.packetparamedic.api.config.ReflectorConfig;
import io.packetparamedic.api.identity.Ed25519Identity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Prints this reflector's Endpoint ID, creating the identity key on first use. */
@Command(
        name = "show-id",
        mixinStandardHelpOptions = true,
        description = "Print this reflector's Endpoint ID (creates the identity key on first run).")
final class ShowIdCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        ReflectorConfig config =
                ReflectorCli.root(spec).loadConfig(spec.commandLine().getErr()).config();
        Path keyFile = config.privateKeyPath();
        boolean existed = Files.exists(keyFile);
        Ed25519Identity identity = Ed25519Identity.loadOrCreate(keyFile);
        if (!existed) {
            spec.commandLine().getErr().println("created a new identity key at " + keyFile);
            spec.commandLine().getErr().flush();
        }
        spec.commandLine().getOut().println(identity.endpointId());
        spec.commandLine().getOut().flush();
        return 0;
    }
}
