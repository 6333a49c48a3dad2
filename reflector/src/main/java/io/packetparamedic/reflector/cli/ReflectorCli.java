package io.packetparamedic.reflector.cli;

import io.packetparamedic.api.config.ConfigException;
import io.packetparamedic.api.config.ConfigLoader;
import io.packetparamedic.api.identity.IdentityException;
import io.packetparamedic.reflector.LogFormat;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code reflector} command line. Exit codes: 0 ok, 1 error (one line on stderr, no stack
 * trace), 2 usage error.
 *
 * <p>The environment is injected rather than read from {@link System#getenv()} directly, so
 * that {@code REFLECTOR_CONFIG} and {@code XDG_CONFIG_HOME} can be exercised in-process.
 */
@Command(
        name = "reflector",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "PacketParamedic reflector: a Paramedic Link endpoint for appliances to test against.")
public final class ReflectorCli implements Runnable {

    /**
     * The subcommands, in the order help lists them. Added to the command line by {@link
     * #commandLine}, not declared on the annotation, so that {@link #main} can add only the one it
     * runs: picocli builds the model of every subcommand it is given (reflection over each class,
     * which loads every type in their signatures), and for a long-running {@code serve} the other
     * nine and the client code behind them were 2.3 MiB of resident memory for nothing.
     */
    static final List<Class<?>> SUBCOMMANDS = List.of(
            ServeCommand.class,
            ShowIdCommand.class,
            RotateIdentityCommand.class,
            PairCommand.class,
            PeersCommand.class,
            StatusCommand.class,
            ShowConfigCommand.class,
            ClientCommand.class,
            SelfTestCommand.class,
            CommandLine.HelpCommand.class);

    /** This command's options that take a value in the next argument (for {@link #invoked}). */
    private static final Set<String> OPTIONS_WITH_VALUE = Set.of("-c", "--config", "--log-format");

    /** The embedded configuration used with {@code --local}. */
    public static final String LOCAL_CONFIG_RESOURCE = "/reflector-local.toml";

    static final String LOCAL_CONFIG_NAME = "embedded reflector-local.toml (--local)";

    @Option(
            names = {"-c", "--config"},
            paramLabel = "FILE",
            scope = ScopeType.INHERIT,
            description = "Configuration file (default: $REFLECTOR_CONFIG, /etc/reflector/reflector.toml, "
                    + "$XDG_CONFIG_HOME/reflector/reflector.toml, then built-in defaults).")
    Path configFile;

    @Option(
            names = "--local",
            scope = ScopeType.INHERIT,
            description = "Use the embedded configuration for running without root: state under "
                    + "~/.local/share/reflector, control on 127.0.0.1:4000, health on 127.0.0.1:7301, pairing enabled.")
    boolean local;

    @Option(
            names = "--allow-unknown-keys",
            scope = ScopeType.INHERIT,
            description = "Treat unknown keys in the configuration file as warnings instead of errors "
                    + "(e.g. a file written for a newer reflector).")
    boolean allowUnknownKeys;

    @Option(
            names = "--log-format",
            paramLabel = "FORMAT",
            scope = ScopeType.INHERIT,
            description = "Log on stderr as text (key=value lines) or json (one object per line); " + "default: $"
                    + LogFormat.ENV + ", else text.")
    void logFormat(String format) {
        try {
            LogFormat.parse(format).apply();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--log-format: " + e.getMessage());
        }
    }

    @Spec
    CommandLine.Model.CommandSpec spec;

    private final Map<String, String> env;
    private ConfigLoader.Loaded loaded;

    public ReflectorCli() {
        this(System.getenv());
    }

    public ReflectorCli(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        int code = commandLine(System.getenv(), out, err, args).execute(args);
        out.flush();
        err.flush();
        System.exit(code);
    }

    /** A fully configured command line: output writers, the environment, exit-code mapping. */
    public static CommandLine commandLine(Map<String, String> env, PrintWriter out, PrintWriter err) {
        return commandLine(env, out, err, SUBCOMMANDS);
    }

    /**
     * The command line for {@code args}: with only the subcommand they invoke when that is one of
     * ours other than {@code help}, else with all (for help, version, and errors that list or
     * suggest commands).
     */
    static CommandLine commandLine(Map<String, String> env, PrintWriter out, PrintWriter err, String[] args) {
        Optional<Class<?>> only = invoked(args);
        return commandLine(env, out, err, only.isPresent() ? List.of(only.get()) : SUBCOMMANDS);
    }

    private static CommandLine commandLine(
            Map<String, String> env, PrintWriter out, PrintWriter err, List<Class<?>> subcommands) {
        CommandLine cl = new CommandLine(new ReflectorCli(env));
        for (Class<?> subcommand : subcommands) cl.addSubcommand(subcommand);
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler(ReflectorCli::reportFailure);
        return cl;
    }

    /** The subcommand {@code args} invoke: their first argument that is not an option or its value. */
    static Optional<Class<?>> invoked(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--")) return Optional.empty();
            if (OPTIONS_WITH_VALUE.contains(arg)) {
                i++;
                continue;
            }
            if (arg.startsWith("-")) continue;
            for (Class<?> subcommand : SUBCOMMANDS) {
                String name = subcommand.getAnnotation(Command.class).name();
                if (name.equals(arg) && subcommand != CommandLine.HelpCommand.class) return Optional.of(subcommand);
            }
            return Optional.empty();
        }
        return Optional.empty();
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }

    Map<String, String> env() {
        return env;
    }

    /**
     * Loads the configuration the options and environment select, once per command line (a
     * command that asks twice gets the same result and its warnings are printed once).
     */
    ConfigLoader.Loaded loadConfig(PrintWriter err) {
        if (loaded != null) return loaded;
        if (local && configFile != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--local and --config cannot be combined");
        }
        loaded = local
                ? ConfigLoader.parse(localConfigText(), LOCAL_CONFIG_NAME)
                : ConfigLoader.load(configFile, env, unknownKeys());
        for (String warning : loaded.warnings()) err.println("warning: " + warning);
        err.flush();
        return loaded;
    }

    ConfigLoader.UnknownKeys unknownKeys() {
        return allowUnknownKeys ? ConfigLoader.UnknownKeys.WARN : ConfigLoader.UnknownKeys.REJECT;
    }

    String configDescription(ConfigLoader.Loaded loaded) {
        return local ? LOCAL_CONFIG_NAME : loaded.sourceDescription();
    }

    static String localConfigText() {
        try (InputStream in = ReflectorCli.class.getResourceAsStream(LOCAL_CONFIG_RESOURCE)) {
            if (in == null)
                throw new IllegalStateException("resource " + LOCAL_CONFIG_RESOURCE + " is missing from the build");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Expected failures print their message; anything else prints its type too. Never a stack trace. */
    private static int reportFailure(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        if (e instanceof CliFailure || e instanceof ConfigException || e instanceof IdentityException) {
            err.println("error: " + e.getMessage());
        } else if (e instanceof IOException || e instanceof UncheckedIOException) {
            err.println("error: " + (e.getCause() != null && e instanceof UncheckedIOException ? e.getCause() : e));
        } else {
            err.println("error: unexpected " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        err.flush();
        return 1;
    }

    static ReflectorCli root(CommandLine.Model.CommandSpec spec) {
        return (ReflectorCli) spec.root().userObject();
    }
}
