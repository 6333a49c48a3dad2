package io.packetparamedic.reflector.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.api.identity.EndpointId;
import io.packetparamedic.api.pairing.PairingCodes;
import io.packetparamedic.reflector.client.LinkClient;
import io.packetparamedic.reflector.client.LinkException;
import io.packetparamedic.reflector.tls.TlsProvider;
import io.packetparamedic.reflector.wire.Addresses;
import io.packetparamedic.reflector.wire.LinkCodec;
import io.packetparamedic.reflector.wire.Payload;
import java.io.EOFException;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import javax.net.ssl.SSLException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code reflector client}: talks Paramedic Link to a reflector, as an appliance would, with its
 * own identity key. Operators use it to check a reflector from elsewhere; tests use it too.
 * Each action opens one mTLS connection, makes its request(s) and closes.
 */
@Command(
        name = "client",
        mixinStandardHelpOptions = true,
        description =
                "Talk to a reflector as an appliance would (its own identity; hello, pair, status, path-meta, fleet, throughput, udp-echo, soak).",
        subcommands = {
            ClientCommand.ShowId.class,
            ClientCommand.Hello.class,
            ClientCommand.Pair.class,
            ClientCommand.Status.class,
            ClientCommand.PathMetaAction.class,
            ClientCommand.Fleet.class,
            ClientThroughputCommand.class,
            ClientUdpEchoCommand.class,
            ClientStampCommand.class,
            ClientSoakCommand.class
        })
public final class ClientCommand implements Runnable {

    static final String DEFAULT_IDENTITY = "~/.local/share/reflector/client.ed25519";

    @Spec
    CommandSpec spec;

    @Option(
            names = {"-s", "--server"},
            paramLabel = "HOST:PORT",
            scope = ScopeType.INHERIT,
            description = "The reflector's control address (default: with -c or --local, that configuration's "
                    + "listen_address, a 0.0.0.0 or :: bind reached through loopback; otherwise " + ClientTarget.DEFAULT
                    + ").")
    String server;

    @Option(
            names = {"-i", "--identity"},
            paramLabel = "PATH",
            defaultValue = DEFAULT_IDENTITY,
            scope = ScopeType.INHERIT,
            description = "This client's Ed25519 key file, created if missing (default: ${DEFAULT-VALUE}).")
    String identityFile;

    @Option(
            names = "--pin",
            paramLabel = "ENDPOINT_ID",
            scope = ScopeType.INHERIT,
            description = "Only talk to the reflector with this Endpoint ID.")
    String pin;

    @Option(
            names = "--tls-provider",
            paramLabel = "jdk|bc",
            defaultValue = "jdk",
            scope = ScopeType.INHERIT,
            description = "The JSSE provider to speak TLS through: jdk (default) or bc (BouncyCastle; has the TLS 1.3 "
                    + "exporter that stamp --auth needs on Java before 25).")
    String tlsProvider;

    @Option(names = "--json", scope = ScopeType.INHERIT, description = "Print the reflector's answer as JSON.")
    boolean json;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(
                spec.commandLine(),
                "an action is required: show-id, hello, pair CODE, status, path-meta, fleet, throughput, udp-echo, stamp or soak");
    }

    /** The client key file, with {@code ~/} expanded. */
    Path identityPath() {
        if (identityFile.equals("~")) return Path.of(System.getProperty("user.home"));
        if (identityFile.startsWith("~/")) return Path.of(System.getProperty("user.home"), identityFile.substring(2));
        return Path.of(identityFile);
    }

    Ed25519Identity identity(PrintWriter err) {
        Path file = identityPath();
        boolean existed = Files.exists(file);
        Ed25519Identity identity = Ed25519Identity.loadOrCreate(file);
        if (!existed) {
            err.println("created a client identity at " + file + " (Endpoint ID " + identity.endpointId() + ")");
            err.flush();
        }
        return identity;
    }

    InetSocketAddress serverAddress() {
        if (server == null)
            return ClientTarget.defaultServer(
                    ReflectorCli.root(spec), spec.commandLine().getErr());
        InetSocketAddress address;
        try {
            address = Addresses.parse(server);
        } catch (IllegalArgumentException e) {
            throw usage("--server must be HOST:PORT: " + e.getMessage());
        }
        if (address.getPort() == 0) throw usage("--server port must be 1-65535, got 0");
        return address;
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    /**
     * Connects with this client's identity (and the pin, if any), runs {@code action} and closes.
     * Connection and protocol failures become one-line {@link CliFailure}s that say what to do.
     */
    <T> T withConnection(PrintWriter err, LinkAction<T> action) {
        Ed25519Identity identity = identity(err);
        String where = where();
        LinkClient client;
        try {
            client = connect(err);
        } catch (SSLException e) {
            throw new CliFailure("TLS handshake with " + where + " failed: " + e.getMessage()
                    + (pin != null ? " (is " + pin + " the right Endpoint ID?)" : ""));
        } catch (IOException e) {
            throw new CliFailure("cannot connect to " + where + ": " + e.getMessage());
        }
        try (client) {
            return action.run(client);
        } catch (LinkException e) {
            throw new CliFailure("the reflector answered with an error: " + e.getMessage());
        } catch (EOFException | SocketException e) {
            if (client.hasAnswered()) {
                throw new CliFailure("the reflector at " + where + " closed the connection: " + e.getMessage());
            }
            throw new CliFailure("the reflector at " + where + " closed the connection without answering: this client ("
                    + identity.endpointId() + ") is not authorized there and no pairing window is open");
        } catch (SocketTimeoutException e) {
            throw new CliFailure("the reflector at " + where + " did not answer in time");
        } catch (IOException e) {
            throw new CliFailure("talking to " + where + " failed: " + e.getMessage());
        }
    }

    /** Connects with this client's identity (and the pin, if any); the caller closes. */
    LinkClient connect(PrintWriter err) throws IOException {
        Optional<EndpointId> pinned;
        try {
            pinned = Optional.ofNullable(pin).map(EndpointId::parse);
        } catch (IllegalArgumentException e) {
            throw usage("--pin: " + e.getMessage());
        }
        InetSocketAddress address = serverAddress();
        LinkClient.Options options;
        try {
            options = LinkClient.Options.defaults().withTlsProvider(TlsProvider.fromSetting(tlsProvider));
        } catch (IllegalArgumentException e) {
            throw usage("--tls-provider: " + e.getMessage());
        }
        if (pinned.isPresent()) options = options.pinning(pinned.get());
        return LinkClient.connect(address.getHostString(), address.getPort(), identity(err), options);
    }

    private String where() {
        InetSocketAddress address = serverAddress();
        return address.getHostString() + ":" + address.getPort();
    }

    /** Prints {@code payload} as compact wire JSON when {@code --json} is given; otherwise runs {@code readable}. */
    void print(PrintWriter out, Payload payload, Runnable readable) {
        if (json) {
            try {
                out.println(LinkCodec.MAPPER.writeValueAsString(payload));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(
                        "cannot encode " + payload.getClass().getSimpleName(), e);
            }
        } else {
            readable.run();
        }
        out.flush();
    }

    /** One exchange on an open connection. */
    @FunctionalInterface
    interface LinkAction<T> {
        T run(LinkClient client) throws IOException;
    }

    /** Shared plumbing of the actions. */
    abstract static class Action implements Callable<Integer> {
        @ParentCommand
        ClientCommand client;

        @Spec
        CommandSpec spec;

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        PrintWriter err() {
            return spec.commandLine().getErr();
        }
    }

    @Command(
            name = "show-id",
            mixinStandardHelpOptions = true,
            description = "Print this client's Endpoint ID (what a reflector's operator authorizes); no connection.")
    static final class ShowId extends Action {
        @Override
        public Integer call() {
            out().println(client.identity(err()).endpointId());
            out().flush();
            return 0;
        }
    }

    @Command(
            name = "hello",
            mixinStandardHelpOptions = true,
            description = "Exchange hello / server_hello and show the reflector's identity and policy.")
    static final class Hello extends Action {
        @Override
        public Integer call() {
            record Answer(EndpointId server, String tls, String alpn, Payload.ServerHello hello) {}
            Answer a = client.withConnection(
                    err(), c -> new Answer(c.serverEndpointId(), c.tlsProtocol(), c.applicationProtocol(), c.hello()));
            client.print(out(), a.hello(), () -> {
                Payload.PolicySummary p = a.hello().policySummary();
                out().println("Reflector:   " + a.server() + " (" + a.tls() + ", " + a.alpn() + ")");
                out().println("Version:     " + a.hello().version());
                out().println("Features:    " + String.join(", ", a.hello().features()));
                if (p != null) {
                    out().println("Policy:      tests up to " + p.maxTestDurationSec() + "s, " + p.maxConcurrentTests()
                            + " at a time, " + p.maxTestsPerHour() + " per hour; types: "
                            + String.join(", ", p.allowedTestTypes()));
                }
                if (a.hello().networkPosition() != null) {
                    out().println("Position:    " + a.hello().networkPosition());
                }
            });
            return 0;
        }
    }

    @Command(
            name = "pair",
            mixinStandardHelpOptions = true,
            description = "Enrol this client with the pairing code the reflector's operator opened.")
    static final class Pair extends Action {
        @Parameters(
                paramLabel = "CODE",
                converter = PairCommand.PairingCodeConverter.class,
                description = "The 8-character pairing code (" + PairingCodes.ALPHABET + ").")
        String code;

        @Override
        public Integer call() {
            Payload.PairResponse r = client.withConnection(err(), c -> c.pair(code));
            client.print(
                    out(),
                    r,
                    () -> out().println(
                                    r.success()
                                            ? "Paired with reflector " + r.endpointId()
                                                    + (r.message() == null ? "" : ": " + r.message())
                                            : "Pairing failed: " + r.message()));
            if (!r.success()) {
                if (client.json) {
                    err().println("error: pairing failed: " + r.message());
                    err().flush();
                }
                return 1;
            }
            return 0;
        }
    }

    @Command(
            name = "status",
            mixinStandardHelpOptions = true,
            description = "Ask the reflector for its status snapshot.")
    static final class Status extends Action {
        @Override
        public Integer call() {
            Payload.StatusSnapshot s = client.withConnection(err(), LinkClient::status);
            client.print(out(), s, () -> {
                out().println("Endpoint ID:  " + s.endpointId());
                out().println("Uptime:       " + Output.duration(s.uptimeSec()));
                Payload.ActiveTest t = s.activeTest();
                out().println("Active test:  "
                        + (t == null
                                ? "none"
                                : t.testType() + " " + t.testId() + " for " + t.peerId() + ", " + t.remainingSec()
                                        + "s left"));
                out().println("Tests today:  " + s.testsToday());
                out().println("Bytes today:  " + Output.bytes(s.bytesToday()));
                if (s.networkPosition() != null) out().println("Position:     " + s.networkPosition());
            });
            return 0;
        }
    }

    @Command(
            name = "path-meta",
            mixinStandardHelpOptions = true,
            description = "Ask the reflector for its host metadata: load, memory, MTU toward us, clock sync, build.")
    static final class PathMetaAction extends Action {
        @Override
        public Integer call() {
            Payload.PathMeta m = client.withConnection(err(), LinkClient::pathMeta);
            client.print(out(), m, () -> {
                out().println("CPU load:     " + String.format(Locale.ROOT, "%.2f", m.cpuLoad()));
                out().println("Memory:       " + m.memoryUsedMb() + " of " + m.memoryTotalMb() + " MB used");
                out().println("Load average: "
                        + (m.loadAvg() == null
                                ? "unknown"
                                : m.loadAvg().stream()
                                        .map(v -> String.format(Locale.ROOT, "%.2f", v))
                                        .collect(Collectors.joining(" "))));
                out().println("MTU:          " + (m.mtu() == null ? "unknown" : m.mtu()));
                out().println("Time synced:  " + (m.timeSynced() ? "yes" : "no"));
                out().println("Build:        " + m.buildVersion() + " (" + m.buildHash() + ")");
            });
            return 0;
        }
    }

    @Command(
            name = "fleet",
            mixinStandardHelpOptions = true,
            description = "Ask the reflector for the other reflectors of its fleet (address, Endpoint ID, ready); "
                    + "none outside a fleet.")
    static final class Fleet extends Action {
        @Override
        public Integer call() {
            Payload.FleetEndpoints f = client.withConnection(err(), LinkClient::fleetEndpoints);
            client.print(out(), f, () -> {
                if (f.endpoints().isEmpty()) {
                    out().println("No other reflectors: this one is not part of a fleet, or the only one.");
                    return;
                }
                String row = "%-45s %-70s %s%n";
                out().printf(row, "ADDRESS", "ENDPOINT ID", "READY");
                for (Payload.FleetEndpoint e : f.endpoints()) {
                    out().printf(row, e.address(), e.endpointId(), e.ready() ? "yes" : "no");
                }
            });
            return 0;
        }
    }
}
