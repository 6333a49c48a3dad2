package io.packetparamedic.reflector.runtime;

import io.netty.handler.ssl.SslContext;
import io.packetparamedic.api.config.ReflectorConfig;
import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.api.identity.EndpointId;
import io.packetparamedic.reflector.LogLevels;
import io.packetparamedic.reflector.audit.AuditEvent;
import io.packetparamedic.reflector.audit.AuditEventType;
import io.packetparamedic.reflector.audit.AuditLog;
import io.packetparamedic.reflector.auth.Authorizer;
import io.packetparamedic.reflector.auth.OpenPairingWindow;
import io.packetparamedic.reflector.auth.PairingClaim;
import io.packetparamedic.reflector.auth.PairingListener;
import io.packetparamedic.reflector.auth.PairingWindowInfo;
import io.packetparamedic.reflector.auth.PeerStore;
import io.packetparamedic.reflector.build.BuildInfo;
import io.packetparamedic.reflector.config.LiveConfig;
import io.packetparamedic.reflector.governance.Governance;
import io.packetparamedic.reflector.governance.WallClock;
import io.packetparamedic.reflector.health.HealthServer;
import io.packetparamedic.reflector.health.Readiness;
import io.packetparamedic.reflector.metrics.ReflectorMetrics;
import io.packetparamedic.reflector.rpc.PathMetaSource;
import io.packetparamedic.reflector.rpc.RequestDispatcher;
import io.packetparamedic.reflector.rpc.RpcContext;
import io.packetparamedic.reflector.rpc.SessionMessages;
import io.packetparamedic.reflector.server.ConnectionRegistry;
import io.packetparamedic.reflector.server.ControlServer;
import io.packetparamedic.reflector.server.Transport;
import io.packetparamedic.reflector.session.SessionLayer;
import io.packetparamedic.reflector.session.SessionService;
import io.packetparamedic.reflector.tls.ServerTlsContext;
import io.packetparamedic.reflector.tls.TlsProvider;
import io.packetparamedic.reflector.wire.Addresses;
import io.packetparamedic.reflector.wire.Payload;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running reflector, and the one way to assemble one: the Paramedic Link server, the
 * health/metrics server, the audit log, the authorizer with its peer file, the session layer
 * (iperf3 and UDP echo engines with governance) and the meters, wired to one {@link LiveConfig}.
 * {@code reflector serve} (both modes) and the tests build it the same way:
 *
 * <pre>{@code
 * ReflectorRuntime r = ReflectorRuntime.builder(liveConfig, identity).pathMeta(meta).start();
 * liveConfig.apply(edited);   // peers, pairing codes, quotas, limits and log level follow
 * }</pre>
 *
 * Parts given to the builder ({@link Builder#sessions}, {@link Builder#auditLog},
 * {@link Builder#metrics}) stay the caller's to close; the parts it builds itself are closed by
 * {@link #close}.
 */
public final class ReflectorRuntime implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ReflectorRuntime.class);
    private static final int WORKER_QUEUE = 256;

    /** What {@code reflector status} shows: live figures, never a pairing code. */
    public record LiveStatus(
            EndpointId endpointId,
            long uptimeSec,
            int connections,
            int authorizedPeers,
            Optional<OpenPairingWindow> pairingWindow,
            Optional<Payload.ActiveTest> activeTest,
            long testsToday,
            long bytesToday) {}

    private final EndpointId endpointId;
    private final Clock clock;
    private final Instant startedAt;
    private final LiveConfig config;
    private final SessionService sessions;
    /** The session layer built here, when the caller gave none; closed with the runtime. */
    private final SessionLayer ownSessions;

    private final AuditLog audit;
    private final boolean ownsAudit;
    private final ReflectorMetrics metrics;
    private final boolean ownsMetrics;
    private final Authorizer authorizer;
    private final ConnectionRegistry registry = new ConnectionRegistry();
    private final Transport transport;
    private final ThreadPoolExecutor worker;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Readiness readiness = new Readiness();
    private ControlServer control;
    private HealthServer health;

    private ReflectorRuntime(Builder b) {
        // First, so that an unreadable peer file fails the start before any thread exists.
        PeerStore peers = PeerStore.open(b.config.get().dataDir(), b.clock);
        this.config = b.config;
        this.endpointId = b.identity.endpointId();
        this.clock = b.clock;
        this.startedAt = clock.instant();
        this.ownsAudit = b.audit == null;
        this.audit = ownsAudit ? AuditLog.of(config.get(), endpointId.toString(), b.wallClock) : b.audit;
        SessionLayer built = null;
        try {
            if (b.sessions == null) {
                built = SessionLayer.create(config, audit, b.persistGovernance);
                b.governanceSeed.accept(built.governance());
            }
        } catch (RuntimeException e) {
            if (built != null) built.close();
            if (ownsAudit) audit.close();
            throw e;
        }
        this.ownSessions = built;
        this.sessions = ownSessions != null ? ownSessions.manager() : b.sessions;
        this.ownsMetrics = b.metrics == null;
        this.metrics = ownsMetrics ? new ReflectorMetrics() : b.metrics;
        // Session layers that keep meters (SessionManager) publish them on the scraped registry.
        if (sessions instanceof io.micrometer.core.instrument.binder.MeterBinder binder) {
            binder.bindTo(metrics.registry());
        }
        audit.bindTo(metrics.registry());
        this.authorizer = new Authorizer(config.get(), peers, audit, clock);
        b.pairingListeners.forEach(authorizer::addListener);
        authorizer.claimWith(b.pairingClaim);
        followConfig();
        this.transport = Transport.create(0);
        AtomicInteger threads = new AtomicInteger();
        this.worker = new ThreadPoolExecutor(1, 2, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(WORKER_QUEUE), r -> {
            Thread t = new Thread(r, "reflector-worker-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** What follows a configuration change, and how: each part through its own listener. */
    private void followConfig() {
        AtomicInteger removedPeers = new AtomicInteger();
        config.onPeers(next -> {
            Set<EndpointId> removed = authorizer.applyPeers(next);
            removed.forEach(this::revokeLive);
            removedPeers.set(removed.size());
        });
        config.onPairingCodes(authorizer::applyPairingCodes);
        config.onLogLevel(LogLevels::apply);
        // Quotas and network limits need no listener: the session layer and the control server
        // read them from the live configuration when they use them.
        config.onApplied(next -> LOG.info(
                "event=config_applied authorized_peers={} removed_peers={}",
                authorizer.authorizedPeerCount(),
                removedPeers.getAndSet(0)));
    }

    /** A runtime following {@code config}; it registers its listeners there, so one LiveConfig serves one runtime. */
    public static Builder builder(LiveConfig config, Ed25519Identity identity) {
        return new Builder(config, identity);
    }

    /** A runtime that owns its live configuration, starting from {@code config}. */
    public static Builder builder(ReflectorConfig config, Ed25519Identity identity) {
        return new Builder(new LiveConfig(config), identity);
    }

    /** Optional parts of a reflector; {@link #pathMeta} is required. */
    public static final class Builder {
        private final LiveConfig config;
        private final Ed25519Identity identity;
        private SessionService sessions;
        private boolean persistGovernance = true;
        private Consumer<Governance> governanceSeed = g -> {};
        private PathMetaSource pathMeta;
        private AuditLog audit;
        private ReflectorMetrics metrics;
        private Clock clock = Clock.systemUTC();
        private Clock wallClock = WallClock.system();
        private String version = BuildInfo.current().version();
        private InetSocketAddress controlAddress;
        private InetSocketAddress healthAddress;
        private final List<PairingListener> pairingListeners = new ArrayList<>();
        private PairingClaim pairingClaim = PairingClaim.LOCAL;

        private Builder(LiveConfig config, Ed25519Identity identity) {
            this.config = Objects.requireNonNull(config, "config");
            this.identity = Objects.requireNonNull(identity, "identity");
        }

        /**
         * A session layer of the caller's (tests); by default the runtime builds the real one
         * ({@link SessionLayer}) on the live configuration and closes it.
         */
        public Builder sessions(SessionService sessions) {
            this.sessions = sessions;
            return this;
        }

        /**
         * Whether the built session layer keeps governance in {@code <data dir>/governance.json}
         * (standalone, the default) or in memory only (Kubernetes, where it lives in the peers' status).
         */
        public Builder persistGovernance(boolean persist) {
            this.persistGovernance = persist;
            return this;
        }

        /** Seeds the built session layer's governance before the listeners open (e.g. restored from the API). */
        public Builder governanceSeed(Consumer<Governance> seed) {
            this.governanceSeed = Objects.requireNonNull(seed, "seed");
            return this;
        }

        public Builder pathMeta(PathMetaSource pathMeta) {
            this.pathMeta = pathMeta;
            return this;
        }

        /** Shares an audit log the caller also gives the session layer; the caller then closes it. */
        public Builder auditLog(AuditLog audit) {
            this.audit = audit;
            return this;
        }

        /** Shares a meter registry holder; the caller then closes it. */
        public Builder metrics(ReflectorMetrics metrics) {
            this.metrics = metrics;
            return this;
        }

        /** The clock of pairing windows and uptime (serve uses a steady one). */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /** The clock the built audit log stamps lines with; defaults to {@link WallClock#system()}. */
        public Builder wallClock(Clock wallClock) {
            this.wallClock = wallClock;
            return this;
        }

        /** The version {@code /health} reports; defaults to this build's. */
        public Builder version(String version) {
            this.version = version;
            return this;
        }

        /** Overrides {@code network.listen_address} (e.g. {@code serve --bind}). */
        public Builder controlAddress(InetSocketAddress address) {
            this.controlAddress = address;
            return this;
        }

        /** Overrides {@code network.listen_address_health}. */
        public Builder healthAddress(InetSocketAddress address) {
            this.healthAddress = address;
            return this;
        }

        public Builder pairingListener(PairingListener listener) {
            pairingListeners.add(listener);
            return this;
        }

        /** Where configured pairing codes are claimed before they are accepted (default: only here). */
        public Builder pairingClaim(PairingClaim claim) {
            this.pairingClaim = Objects.requireNonNull(claim, "claim");
            return this;
        }

        /**
         * Binds both listeners and starts serving.
         *
         * @throws IOException when a listener cannot bind; nothing is left running
         * @throws IllegalStateException when the peer file is unreadable
         */
        public ReflectorRuntime start() throws IOException {
            Objects.requireNonNull(pathMeta, "pathMeta");
            ReflectorConfig initial = config.get();
            LogLevels.apply(initial.logging.level);
            ReflectorRuntime r = new ReflectorRuntime(this);
            try {
                r.listen(
                        controlAddress != null ? controlAddress : Addresses.parse(initial.network.listenAddress),
                        healthAddress != null ? healthAddress : Addresses.parse(initial.network.listenAddressHealth),
                        identity,
                        pathMeta,
                        version);
                return r;
            } catch (IOException | RuntimeException e) {
                r.close();
                throw e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                r.close();
                throw new IOException("interrupted while binding", e);
            }
        }
    }

    private void listen(
            InetSocketAddress controlAddress,
            InetSocketAddress healthAddress,
            Ed25519Identity identity,
            PathMetaSource pathMeta,
            String version)
            throws IOException, InterruptedException {
        String alpn = config.get().network.alpn;
        SslContext ssl =
                ServerTlsContext.create(identity, alpn, TlsProvider.fromSetting(config.get().network.tlsProvider));
        RpcContext rpc =
                new RpcContext(endpointId, config, startedAt, clock, sessions, pathMeta, authorizer, metrics, worker);
        try {
            control = ControlServer.start(
                    transport,
                    controlAddress,
                    () -> config.get().network,
                    ssl,
                    authorizer,
                    audit,
                    metrics,
                    registry,
                    connection -> new RequestDispatcher(connection, rpc),
                    clock);
        } catch (Exception e) {
            throw bindFailure("control", controlAddress, e);
        }
        try {
            health = HealthServer.start(transport, healthAddress, version, metrics, readiness);
        } catch (Exception e) {
            throw bindFailure("health", healthAddress, e);
        }
        LOG.info(
                "event=reflector_started endpoint_id={} control={} health={} transport={} alpn={} authorized_peers={}",
                endpointId,
                Addresses.format(control.localAddress()),
                Addresses.format(health.localAddress()),
                transport.name(),
                alpn,
                authorizer.authorizedPeerCount());
    }

    private static IOException bindFailure(String what, InetSocketAddress address, Exception e)
            throws InterruptedException {
        if (e instanceof InterruptedException ie) throw ie;
        return new IOException(
                "cannot listen for " + what + " on " + Addresses.format(address) + ": " + e.getMessage(), e);
    }

    public EndpointId endpointId() {
        return endpointId;
    }

    public InetSocketAddress controlAddress() {
        return control.localAddress();
    }

    public InetSocketAddress healthAddress() {
        return health.localAddress();
    }

    /** The configuration in force now. */
    public ReflectorConfig config() {
        return config.get();
    }

    /** The running configuration; {@link LiveConfig#apply} changes it. */
    public LiveConfig liveConfig() {
        return config;
    }

    /** The session layer the runtime built (empty when the builder was given one). */
    public Optional<SessionLayer> sessionLayer() {
        return Optional.ofNullable(ownSessions);
    }

    public ReflectorMetrics metrics() {
        return metrics;
    }

    public io.micrometer.core.instrument.MeterRegistry meterRegistry() {
        return metrics.registry();
    }

    public AuditLog auditLog() {
        return audit;
    }

    public Authorizer authorizer() {
        return authorizer;
    }

    /** The authenticated connections open now (status reporting counts and watches them). */
    public ConnectionRegistry connections() {
        return registry;
    }

    /** Opens the local pairing window (the admin channel's {@code pair}); see {@link Authorizer#openWindow(Duration, Optional)}. */
    public PairingWindowInfo openPairingWindow(Duration ttl, Optional<String> code) {
        return authorizer.openWindow(ttl, code);
    }

    public LiveStatus liveStatus() {
        return new LiveStatus(
                endpointId,
                Math.max(0, Duration.between(startedAt, clock.instant()).getSeconds()),
                registry.size(),
                authorizer.authorizedPeerCount(),
                authorizer.openWindow(),
                sessions.activeTest().map(SessionMessages::activeTest),
                sessions.testsToday(),
                sessions.bytesToday());
    }

    /** Removes a peer enrolled by pairing; its connections close and its sessions end. */
    public boolean removePairedPeer(EndpointId peer) throws IOException {
        if (!authorizer.unpair(peer)) return false;
        if (!authorizer.isAuthorized(peer)) revokeLive(peer);
        return true;
    }

    private void revokeLive(EndpointId peer) {
        int closedConnections = registry.closeAll(peer);
        sessions.endSessionsOf(peer);
        audit.record(AuditEvent.of(AuditEventType.PEER_REMOVED).withPeer(peer.toString()));
        LOG.info("event=peer_removed peer={} connections_closed={}", peer, closedConnections);
    }

    /**
     * The first half of a graceful shutdown (SIGTERM): {@code /health} turns 503 {@code draining},
     * new sessions are refused as busy with {@code retry_after_sec}, and this waits until the running
     * sessions have finished or {@code period} has passed. Connections stay open meanwhile, so a
     * peer still gets its session's replies. {@link #close} follows.
     *
     * @return true when every session finished within the period
     */
    public boolean drain(Duration period) {
        readiness.markDraining();
        long startNanos = System.nanoTime();
        LOG.info("event=drain_started connections={} drain_timeout_sec={}", registry.size(), period.toSeconds());
        boolean finished;
        try {
            sessions.drain(period).get(period.toMillis(), TimeUnit.MILLISECONDS);
            finished = true;
        } catch (TimeoutException e) {
            finished = false;
        } catch (ExecutionException e) {
            finished = false;
            LOG.warn("event=drain_failed error=\"{}\"", e.getCause().toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            finished = false;
        }
        long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
        if (finished) LOG.info("event=drain_finished waited_ms={}", waitedMs);
        else LOG.warn("event=drain_timed_out waited_ms={} outcome=running_sessions_cut_short", waitedMs);
        return finished;
    }

    /**
     * Stops accepting, closes every connection, then the listeners' threads, the built session
     * layer (ending its sessions) and the built audit log. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        if (control != null) control.close();
        if (health != null) health.close();
        worker.shutdown();
        transport.close();
        try {
            worker.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (ownSessions != null) ownSessions.close();
        if (ownsAudit) audit.close();
        if (ownsMetrics) metrics.close();
        LOG.info("event=reflector_stopped endpoint_id={}", endpointId);
    }
}
