package io.packetparamedic.reflector.kube;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.packetparamedic.api.config.ConfigException;
import io.packetparamedic.api.config.ConfigLoader;
import io.packetparamedic.api.config.ReflectorConfig;
import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.api.identity.IdentityException;
import io.packetparamedic.reflector.build.BuildInfo;
import io.packetparamedic.reflector.cli.DataPlaneBanner;
import io.packetparamedic.reflector.config.LiveConfig;
import io.packetparamedic.reflector.governance.Governance;
import io.packetparamedic.reflector.governance.SteadyClock;
import io.packetparamedic.reflector.runtime.ReflectorRuntime;
import io.packetparamedic.reflector.selftest.HostPathMeta;
import io.packetparamedic.reflector.wire.Addresses;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code reflector serve} in Kubernetes mode: the identity and the configuration come from the
 * ReflectorInstance's Secrets through the API (nothing secret on disk), the config Secret is
 * watched and applied live, governance is restored from the AuthorizedPeers' status, and what
 * the pod observes is reported into the status of the instance, its peers and pairing windows.
 *
 * <p>The audit log and the local state go to the config's data directory (the pod's emptyDir at
 * {@code /var/lib/reflector}, writable under a read-only root filesystem), or to {@code
 * REFLECTOR_DATA_DIR}. There is no admin socket: pairing goes through PairingWindows.
 */
public final class KubernetesServe {

    private static final Logger LOG = LoggerFactory.getLogger(KubernetesServe.class);

    /** The serve command's inputs for this mode. */
    public record Options(InstanceRef instance, Optional<Path> kubeconfig, Optional<InetSocketAddress> bind) {}

    private KubernetesServe() {}

    /**
     * Kubernetes mode applies when {@code --instance} (or {@code REFLECTOR_INSTANCE}) names an
     * instance. Inside a pod the client uses the mounted service-account token; outside, a
     * kubeconfig is required.
     *
     * @throws IllegalArgumentException when the instance reference is malformed
     */
    public static Optional<Options> detect(
            String instanceOption, Path kubeconfigOption, InetSocketAddress bind, Map<String, String> env) {
        return KubeSettings.instance(instanceOption, env)
                .map(i -> new Options(i, Optional.ofNullable(kubeconfigOption), Optional.ofNullable(bind)));
    }

    /** Serves until the JVM is asked to stop (SIGTERM). Returns the exit code: 0, or 1 when the start fails. */
    public static int run(Options options, Map<String, String> env, PrintWriter out, PrintWriter err) {
        KubeSettings settings = KubeSettings.resolve(options.instance(), env, options.bind());
        KubeClients.Built built;
        try {
            built = KubeClients.create(
                    options.kubeconfig(), env, settings.instance().namespace());
        } catch (IllegalStateException e) {
            err.println("error: " + e.getMessage());
            err.flush();
            return 1;
        }
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        try (KubernetesClient client = built.client()) {
            Running running;
            try {
                running = start(settings, client, stop::countDown);
            } catch (IllegalStateException | IdentityException | ConfigException | IOException e) {
                err.println("error: " + SecretSource.firstLine(e.getMessage()));
                err.flush();
                return 1;
            } catch (KubernetesClientException e) {
                err.println(
                        "error: Kubernetes API (HTTP " + e.getCode() + "): " + SecretSource.firstLine(e.getMessage()));
                err.flush();
                return 1;
            }
            Thread hook = new Thread(
                    () -> {
                        stop.countDown();
                        try {
                            stopped.await();
                            // Drained and closed: the container ends "Completed" with 0, not 143 (see ServeCommand).
                            Runtime.getRuntime().halt(0);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    },
                    "reflector-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            banner(out, running, settings, built.source());
            try {
                stop.await();
                LOG.info("event=shutdown_requested");
                running.reflector().drain(Duration.ofSeconds(running.reflector().config().network.drainTimeoutSec));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                running.close();
                stopped.countDown();
            }
            return 0;
        }
    }

    /** Everything that runs, closed in reverse order of start. */
    public record Running(
            ReflectorRuntime reflector,
            StatusReporter reporter,
            ConfigSecretWatcher watcher,
            IdentitySecretWatcher identityWatcher)
            implements AutoCloseable {
        @Override
        public void close() {
            identityWatcher.close();
            watcher.close();
            reflector.close();
            // Last, so that its final write shows the sessions and connections gone.
            reporter.close();
            LOG.info("event=kubernetes_mode_stopped");
        }
    }

    /**
     * Starts serving in this JVM and returns at once; the caller closes what runs ({@link #run}
     * does, on SIGTERM; tests run several nodes' reflectors side by side this way).
     *
     * @param restart asks the process to stop so that the pod restarts (the identity changed)
     */
    public static Running start(KubeSettings settings, KubernetesClient client, Runnable restart) throws IOException {
        Ed25519Identity identity = SecretSource.identity(client, settings);
        String initialText = SecretSource.configText(client, settings);
        ConfigLoader.Loaded loaded = SecretSource.parse(initialText, settings);
        for (String w : loaded.warnings()) LOG.warn("event=config_warning warning=\"{}\"", w.replace('"', '\''));
        ReflectorConfig config = localize(loaded.config(), settings);
        Files.createDirectories(config.dataDir());
        LiveConfig live = new LiveConfig(config);

        ReflectorRuntime reflector = null;
        StatusReporter reporter = null;
        try {
            AtomicReference<GovernanceRestore.Restored> restored = new AtomicReference<>();
            AtomicReference<StatusReporter> reporterRef = new AtomicReference<>();
            ReflectorRuntime.Builder builder = ReflectorRuntime.builder(live, identity)
                    .clock(SteadyClock.system()) // pairing windows and uptime measured in monotonic time
                    .wallClock(Clock.systemUTC())
                    // Governance lives in the peers' status here, not in a state file on the emptyDir.
                    .persistGovernance(false)
                    .governanceSeed(governance -> restored.set(restore(client, settings, governance)))
                    .pathMeta(new HostPathMeta())
                    // A fleet's nodes share the window's code: it is accepted once the window is claimed.
                    .pairingClaim(
                            new PairingWindowClaim(client, settings.instance().namespace(), Clock.systemUTC()))
                    .pairingListener((peer, window) -> {
                        StatusReporter r = reporterRef.get();
                        if (r != null) r.paired(peer, window);
                    });
            settings.listenOverride().ifPresent(builder::controlAddress);
            settings.healthOverride().ifPresent(builder::healthAddress);
            reflector = builder.start();
            ReflectorRuntime served = reflector;
            ConfigSecretWatcher watcher = new ConfigSecretWatcher(
                    client, settings, initialText, next -> live.apply(localize(next.config(), settings)));
            // Started after the reporter; created first so the heartbeat can say which config serves.
            reporter = new StatusReporter(
                    client,
                    settings,
                    reflector,
                    reflector.sessionLayer().orElseThrow().manager(),
                    () -> advertisedAddress(served, settings),
                    watcher::appliedConfigHash,
                    Clock.systemUTC());
            reporter.restored(restored.get().statusByName(), restored.get().idByName());
            reflector.connections().onAdded(reporter::connected);
            reporterRef.set(reporter);
            reporter.start();
            watcher.start();
            IdentitySecretWatcher identityWatcher =
                    new IdentitySecretWatcher(client, settings, identity.endpointId(), restart);
            try {
                identityWatcher.start();
            } catch (RuntimeException e) {
                watcher.close();
                throw e;
            }
            LOG.info(
                    "event=kubernetes_mode_started instance={} endpoint_id={} restored_peers={}",
                    settings.instance(),
                    identity.endpointId(),
                    restored.get().seeded());
            return new Running(reflector, reporter, watcher, identityWatcher);
        } catch (IOException | RuntimeException e) {
            if (reporter != null) reporter.close();
            if (reflector != null) reflector.close();
            throw e;
        }
    }

    private static GovernanceRestore.Restored restore(
            KubernetesClient client, KubeSettings settings, Governance governance) {
        try {
            return GovernanceRestore.fromPeers(client, settings.instance().namespace(), governance);
        } catch (KubernetesClientException e) {
            // Serving without the history is better than not serving; the quota restarts fresh.
            LOG.warn(
                    "event=governance_restore_failed code={} error=\"{}\"",
                    e.getCode(),
                    SecretSource.firstLine(e.getMessage()));
            return new GovernanceRestore.Restored(Map.of(), Map.of(), 0);
        }
    }

    /** The configuration from the Secret with the local overrides (data directory): a copy when there are any. */
    static ReflectorConfig localize(ReflectorConfig config, KubeSettings settings) {
        return settings.dataDirOverride().map(config::withDataDir).orElse(config);
    }

    /** The configured advertised address, else the node's IP (downward API), else a concrete listen address. */
    static String advertisedAddress(ReflectorRuntime reflector, KubeSettings settings) {
        String configured = reflector.config().network.advertisedAddress;
        if (configured != null && !configured.isBlank()) return configured;
        if (settings.hostIp().isPresent()) return settings.hostIp().get();
        InetSocketAddress bound = reflector.controlAddress();
        return bound.getAddress() != null && !bound.getAddress().isAnyLocalAddress()
                ? bound.getAddress().getHostAddress()
                : null;
    }

    private static void banner(PrintWriter out, Running running, KubeSettings settings, String apiSource) {
        ReflectorRuntime r = running.reflector();
        out.println("PacketParamedic Reflector " + BuildInfo.current().version() + " (Kubernetes mode)");
        out.println("Endpoint ID:   " + r.endpointId());
        out.println("Instance:      " + settings.instance());
        out.println("API:           " + apiSource);
        out.println("Listening on:  " + Addresses.format(r.controlAddress()) + " (Paramedic Link, mTLS)");
        out.println("Health:        " + Addresses.format(r.healthAddress()));
        out.println(DataPlaneBanner.line(r.config()));
        out.println("Audit log:     " + r.auditLog().path());
        out.flush();
    }
}
