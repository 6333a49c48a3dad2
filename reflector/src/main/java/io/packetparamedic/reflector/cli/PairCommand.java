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

/** Opens a pairing window on the running reflector, through its admin socket. */
@Command(name = "pair", mixinStandardHelpOptions = true,
        description = "Open a pairing window on the running reflector and print the code an appliance enters.")
final class PairCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--ttl", paramLabel = "DURATION", defaultValue = "10m", converter = DurationConverter.class,
            description = "How long the window stays open: 30s, 10m, 1h, 1d (default: ${DEFAULT-VALUE}).")
    Duration ttl;

    @Option(names = "--code", paramLabel = "CODE", converter = PairingCodeConverter.class,
            description = "Use this code (e.g. one the appliance shows) instead of generating one: "
                    + "8 characters from " + PairingCodes.ALPHABET + ".")
    String code;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        ReflectorConfig config = ReflectorCli.root(spec).loadConfig(spec.commandLine().getErr()).config();
        Path socket = AdminClient.socketPath(config);
        AdminProtocol.Response response = AdminCalls.call(socket, AdminProtocol.Request.pair(ttl.toSeconds(), code));
        AdminProtocol.PairingOpened opened = response.pairing();
        out.println("Endpoint ID:  " + opened.endpointId());
        out.println("Pairing code: " + opened.code());
        out.println("Expires at:   " + opened.expiresAt() + " (in " + Durations.format(ttl) + ")");
        out.flush();
        return 0;
    }

    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                Duration d = Durations.parse(value);
                if (d.isZero()) throw new CommandLine.TypeConversionException("a duration must be longer than 0s");
                return d;
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
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
