package io.packetparamedic.reflector.cli;

import io.packetparamedic.api.config.ConfigException;
import io.packetparamedic.api.config.ConfigLoader;
import io.packetparamedic.api.config.ReflectorConfig;
import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.reflector.admin.AdminClient;
import io.packetparamedic.reflector.admin.AdminServer;
import io.packetparamedic.reflector.build.BuildInfo;
import io.packetparamedic.reflector.config.LiveConfig;
import io.packetparamedic.reflector.governance.SteadyClock;
import io.packetparamedic.reflector.kube.KubernetesServe;
import io.packetparamedic.reflector.runtime.ReflectorRuntime;
import io.packetparamedic.reflector.selftest.HostPathMeta;
import io.packetparamedic.reflector.wire.Addresses;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Runs the reflector until SIGTERM/SIGINT: the Paramedic Link server, health and metrics, the
 * session layer, the admin socket for {@code pair}/{@code status}, and (for a configuration file)
 * a watcher that applies edits to the running server.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, description = "Run the reflector (until SIGTERM or Ctrl-C).")
final class ServeCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);
    /** Time allowed after the drain for closing listeners, sessions and the audit log. */
    private static final long SHUTDOWN_MARGIN_SEC = 15;

    @Spec
    CommandSpec spec;

    @Option(
            names = "--bind",
            paramLabel = "ADDR",
            description = "Listen on this host:port instead of [network] listen_address.")
    String bind;

    @Option(
            names = "--instance",
            paramLabel = "NAMESPACE/NAME",
            description = "Kubernetes mode: serve this ReflectorInstance, reading its Secrets and reporting status "
                    + "through the API (default: $REFLECTOR_INSTANCE). In a pod the service-account token is used.")
    String instance;

    @Option(
            names = "--kubeconfig",
            paramLabel = "FILE",
            description = "Kubernetes mode outside a pod: the kubeconfig to use (default: $KUBECONFIG).")
    Path kubeconfig;

    /** Closed in reverse order of opening. */
    private final Deque<AutoCloseable> opened = new ArrayDeque<>();

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ReflectorCli cli = ReflectorCli.root(spec);
        Optional<KubernetesServe.Options> kube = kubernetesMode(cli);
        if (kube.isPresent()) return KubernetesServe.run(kube.get(), cli.env(), out, err);
        ConfigLoader.Loaded loaded = cli.loadConfig(err);
        ReflectorConfig initial = withBind(loaded.config());
        loaded.warnings().forEach(w -> LOG.warn("event=config_warning message=\"{}\"", w));

        Path socket = AdminClient.socketPath(initial);
        if (AdminClient.isServerRunning(socket)) {
            throw new CliFailure("another reflector is already running on this data directory (admin socket " + socket
                    + " answers); stop it first or use another configuration");
        }
        Path keyFile = initial.privateKeyPath();
        boolean existed = Files.exists(keyFile);
        Ed25519Identity identity = Ed25519Identity.loadOrCreate(keyFile);
        if (!existed) LOG.info("event=identity_created path={} endpoint_id={}", keyFile, identity.endpointId());

        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        // The drain period in force when the signal comes (a live config edit may have changed it).
        AtomicReference<ReflectorRuntime> serving = new AtomicReference<>();
        Thread hook = new Thread(
                () -> {
                    stop.countDown();
                    // The JVM exits when this hook returns: it waits out the drain and the closing after it.
                    ReflectorRuntime r = serving.get();
                    long hookWaitSec = (r == null ? 0 : r.config().network.drainTimeoutSec) + SHUTDOWN_MARGIN_SEC;
                    try {
                        // A drained and closed reflector has stopped as asked: exit 0, not the JVM's 143
                        // for "killed by SIGTERM", so supervisors record a clean stop. halt, because exit
                        // from a shutdown hook would wait for this very hook.
                        if (stopped.await(hookWaitSec, TimeUnit.SECONDS))
                            Runtime.getRuntime().halt(0);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "reflector-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            ReflectorRuntime reflector = startAll(cli, loaded, initial, identity, socket);
            serving.set(reflector);
            printBanner(out, cli, loaded, reflector, socket);
            stop.await();
            LOG.info("event=shutdown_requested");
            reflector.drain(Duration.ofSeconds(reflector.config().network.drainTimeoutSec));
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        } finally {
            closeAll();
            stopped.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it is waiting for exactly this
            }
        }
    }

    private Optional<KubernetesServe.Options> kubernetesMode(ReflectorCli cli) {
        try {
            return KubernetesServe.detect(instance, kubeconfig, bind == null ? null : Addresses.parse(bind), cli.env());
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /** The configuration as served: with {@code --bind}, a copy listening there. */
    private ReflectorConfig withBind(ReflectorConfig config) {
        if (bind == null) return config;
        ReflectorConfig bound = config.withListenAddress(bind);
        try {
            ConfigLoader.validate(bound, "--bind");
        } catch (ConfigException e) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--bind must be host:port, got \"" + bind + "\"");
        }
        return bound;
    }

    private ReflectorRuntime startAll(
            ReflectorCli cli,
            ConfigLoader.Loaded loaded,
            ReflectorConfig initial,
            Ed25519Identity identity,
            Path socket) {
        LiveConfig live = new LiveConfig(initial);
        try {
            ReflectorRuntime reflector = remember(ReflectorRuntime.builder(live, identity)
                    .clock(SteadyClock.system()) // pairing windows and uptime measured in monotonic time
                    .pathMeta(new HostPathMeta())
                    .start());
            remember(AdminServer.start(
                    socket,
                    new LiveServer(
                            reflector,
                            reflector.sessionLayer().orElseThrow().governance(),
                            cli.configDescription(loaded))));
            if (loaded.source().isPresent() && !cli.local) {
                remember(ConfigFileWatcher.start(
                        loaded.source().get(), cli.unknownKeys(), reloaded -> live.apply(withBind(reloaded.config()))));
            }
            return reflector;
        } catch (IOException e) {
            throw new CliFailure(e.getMessage());
        }
    }

    private <T extends AutoCloseable> T remember(T resource) {
        opened.push(resource);
        return resource;
    }

    private void closeAll() {
        while (!opened.isEmpty()) {
            AutoCloseable c = opened.pop();
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn(
                        "event=shutdown_close_failed component={} error=\"{}\"",
                        c.getClass().getSimpleName(),
                        e.getMessage());
            }
        }
    }

    private static void printBanner(
            PrintWriter out, ReflectorCli cli, ConfigLoader.Loaded loaded, ReflectorRuntime r, Path socket) {
        ReflectorConfig c = r.config();
        BuildInfo build = BuildInfo.current();
        String pairHint = cli.local ? "reflector --local pair" : "reflector pair";
        out.println("PacketParamedic reflector " + build.version() + " (commit " + build.commit() + ")");
        out.println("Endpoint ID:   " + r.endpointId());
        out.println("Listening on:  " + Addresses.format(r.controlAddress()) + " (TLS 1.3 mTLS, ALPN " + c.network.alpn
                + ")");
        out.println(DataPlaneBanner.line(c));
        out.println("Health:        http://" + Addresses.format(r.healthAddress()) + "/health");
        // Windows come from `pair` (and [access] pairing_codes) whatever pairing_enabled says: the
        // key is kept for compatibility only, so the banner reports the window, not the key.
        out.println("Pairing:       "
                + r.authorizer()
                        .openWindow()
                        .map(w -> "open (" + w.window() + ")")
                        .orElse("no window open") + "; open one with: " + pairHint);
        out.println("Admin socket:  " + socket);
        out.println("Configuration: " + cli.configDescription(loaded));
        out.println("Audit log:     " + c.auditLogPath());
        out.flush();
    }
}
