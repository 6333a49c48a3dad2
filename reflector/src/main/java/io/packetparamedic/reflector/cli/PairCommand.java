package io.packetparamedic.reflector.cli;

import io.packetparamedic.api.config.Durations;
import io.packetparamedic.api.config.ReflectorConfig;
import io.packetparamedic.api.pairing.PairingCodes;
import io.packetparamedic.reflector.admin.AdminClient;
import io.packetparamedic.reflector.admin.AdminProtocol;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Opens (or, with {@code --close}, closes) the pairing window on the running reflector, through its admin socket. */
@Command(
        name = "pair",
        mixinStandardHelpOptions = true,
        description = "Open a pairing window on the running reflector and print the code an appliance enters; "
                + "--close closes it early.")
final class PairCommand implements Callable<Integer> {

    static final Duration DEFAULT_TTL = Duration.ofMinutes(10);

    @Spec
    CommandSpec spec;

    @Option(
            names = "--ttl",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "How long the window stays open, at most 7d: 90s, 10m, 1h30m, 1d (default: 10m).")
    Duration ttl;

    @Option(
            names = "--code",
            paramLabel = "CODE",
            converter = PairingCodeConverter.class,
            description = "Use this code (e.g. one the appliance shows) instead of generating one: "
                    + "8 characters from " + PairingCodes.ALPHABET + ".")
    String code;

    @Option(names = "--close", description = "Close the open pairing window now instead of opening one.")
    boolean close;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (close && (ttl != null || code != null)) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--close cannot be combined with --ttl or --code");
        }
        ReflectorConfig config =
                ReflectorCli.root(spec).loadConfig(spec.commandLine().getErr()).config();
        Path socket = AdminClient.socketPath(config);
        if (close) return close(out, socket);
        Duration open = ttl != null ? ttl : DEFAULT_TTL;
        AdminProtocol.Response response = AdminCalls.call(socket, AdminProtocol.Request.pair(open.toSeconds(), code));
        AdminProtocol.PairingOpened opened = response.pairing();
        out.println("Endpoint ID:  " + opened.endpointId());
        out.println("Pairing code: " + opened.code());
        out.println("Expires at:   " + opened.expiresAt() + " (in " + Durations.format(open) + ")");
        out.flush();
        return 0;
    }

    private static int close(PrintWriter out, Path socket) {
        AdminProtocol.OpenWindow closed =
                AdminCalls.call(socket, AdminProtocol.Request.closePairing()).closed();
        out.println(
                closed == null
                        ? "No pairing window was open."
                        : "Closed the pairing window (it was open until " + closed.expiresAt() + ").");
        // Codes from the configuration file are not the admin channel's to close; say so if one is still open.
        AdminProtocol.OpenWindow still =
                AdminCalls.call(socket, AdminProtocol.Request.status()).status().pairingWindow();
        if (still != null) {
            out.println("Still open: pairing codes from the configuration (" + still.window() + "); remove them "
                    + "from [access] pairing_codes to close them.");
        }
        out.flush();
        return 0;
    }

    static final class PairingCodeConverter implements CommandLine.ITypeConverter<String> {
        @Override
        public String convert(String value) {
            if (!PairingCodes.isValid(value)) {
                throw new CommandLine.TypeConversionException("invalid pairing code \"" + value + "\": expected "
                        + PairingCodes.LENGTH + " characters from " + PairingCodes.ALPHABET);
            }
            return PairingCodes.normalize(value);
        }
    }
}
