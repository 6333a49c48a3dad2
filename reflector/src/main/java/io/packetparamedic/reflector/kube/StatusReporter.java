package io.packetparamedic.reflector.kube;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.packetparamedic.api.crd.AuthorizedPeer;
import io.packetparamedic.api.crd.FieldManagers;
import io.packetparamedic.api.crd.PairingWindow;
import io.packetparamedic.api.crd.ReflectorInstance;
import io.packetparamedic.api.crd.ReflectorInstanceStatus;
import io.packetparamedic.api.identity.EndpointId;
import io.packetparamedic.api.time.Rfc3339;
import io.packetparamedic.reflector.config.ConfiguredPeers;
import io.packetparamedic.reflector.governance.PeerFigures;
import io.packetparamedic.reflector.runtime.ReflectorRuntime;
import io.packetparamedic.reflector.server.PeerConnection;
import io.packetparamedic.reflector.session.ActiveSession;
import io.packetparamedic.reflector.session.SessionManager;
import io.packetparamedic.reflector.wire.Addresses;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports what the pod observes into the custom resources' status by server-side apply under
 * {@value FieldManagers#REFLECTOR}, applying only the (pod) fields so the operator's fields are
 * never touched.
 *
 * <p>One thread does all the writing. Every {@link #TICK} it computes the desired (pod) status of
 * the instance and of each named peer, and writes an object only when its value changed, and not
 * more often than once per {@link #MIN_INTERVAL} per object — a busy reflector coalesces any
 * number of changes into at most two writes a second per peer and one per second for the
 * instance ({@link #INSTANCE_MIN_INTERVAL}). The instance is rewritten at
 * least every {@link #HEARTBEAT} as the heartbeat. A pairing is written at once. A write the API
 * server refused is logged in one line and retried with exponential backoff (up to
 * {@link #MAX_BACKOFF}); while the server does not answer at all, every object waits for one probe
 * ({@link ApiOutage}) and the latest values are written when it is back. Neither affects serving.
 */
final class StatusReporter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StatusReporter.class);
    static final Duration TICK = Duration.ofMillis(200);
    static final Duration MIN_INTERVAL = Duration.ofMillis(500);
    /**
     * The instance is written at most once a second: every write of its status wakes the
     * operator's reconcile of the instance (it derives Ready from the heartbeat), and a reconcile
     * in progress delays the next one, e.g. the one that renders a newly applied peer.
     */
    static final Duration INSTANCE_MIN_INTERVAL = Duration.ofSeconds(1);

    static final Duration HEARTBEAT = Duration.ofSeconds(10);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    /** A write that took this long is logged: the API server is slow, and every report waits. */
    static final Duration SLOW_WRITE = Duration.ofSeconds(1);
    /** Bound on remembered "last seen" entries; only configured peers are kept. */
    private static final int MAX_SEEN = 10_000;

    private static final int MAX_PENDING_PAIRINGS = 64;

    /** Last handshake of a peer: when and from where. */
    record Seen(Instant at, String address) {}

    /** Write bookkeeping of one object. */
    private static final class Target {
        Object written;
        Instant lastAttempt = Instant.EPOCH;
        Instant nextAttempt = Instant.EPOCH;
        int failures;
    }

    private final KubernetesClient client;
    private final KubeSettings settings;
    private final ReflectorRuntime reflector;
    private final SessionManager sessions;
    private final Supplier<String> advertisedAddress;
    private final Supplier<String> appliedConfigHash;
    private final Clock clock;
    private final ScheduledExecutorService thread;
    private final Map<EndpointId, Seen> seen = new ConcurrentHashMap<>();

    /** The following are confined to {@link #thread}. */
    private final Target instanceTarget = new Target();

    private final ApiOutage outage = new ApiOutage();
    private final Map<String, Target> peerTargets = new HashMap<>();
    private final Map<String, StatusReports.Pairing> pendingPairings = new LinkedHashMap<>();
    private final Map<String, Target> pairingTargets = new HashMap<>();

    StatusReporter(
            KubernetesClient client,
            KubeSettings settings,
            ReflectorRuntime reflector,
            SessionManager sessions,
            Supplier<String> advertisedAddress,
            Supplier<String> appliedConfigHash,
            Clock clock) {
        this.client = client;
        this.settings = settings;
        this.reflector = reflector;
        this.sessions = sessions;
        this.advertisedAddress = advertisedAddress;
        this.appliedConfigHash = appliedConfigHash;
        this.clock = clock;
        this.thread = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("status-reporter", true));
    }

    /**
     * What the peers' status said when the reflector started: these values count as written (no
     * rewrite of an unchanged status after a restart), and their last-seen facts carry over.
     */
    void restored(Map<String, StatusReports.Peer> byPeerName, Map<String, EndpointId> idByPeerName) {
        thread.execute(() -> byPeerName.forEach((name, report) -> {
            peerTargets.computeIfAbsent(name, n -> new Target()).written = report;
            EndpointId id = idByPeerName.get(name);
            if (id != null && report.lastSeenTime() != null) {
                try {
                    seen.putIfAbsent(id, new Seen(Rfc3339.parse(report.lastSeenTime()), report.lastAddress()));
                } catch (RuntimeException e) {
                    LOG.debug("event=peer_status_time_ignored peer={} value={}", name, report.lastSeenTime());
                }
            }
        }));
    }

    /** Records a handshake; called on the event loop, so it only stores. */
    void connected(PeerConnection connection) {
        if (seen.size() >= MAX_SEEN && !seen.containsKey(connection.peerId())) return;
        seen.put(connection.peerId(), new Seen(connection.connectedAt(), host(connection.remoteAddress())));
    }

    /** Records a pairing through a PairingWindow and writes it to the window at once. */
    void paired(EndpointId peer, String window) {
        int slash = window.indexOf('/');
        if (slash < 0) return; // a local (admin channel) window has no resource
        String namespace = window.substring(0, slash);
        if (!namespace.equals(settings.instance().namespace())) {
            LOG.warn(
                    "event=pairing_window_foreign window={} namespace={}",
                    window,
                    settings.instance().namespace());
            return;
        }
        String name = window.substring(slash + 1);
        StatusReports.Pairing report = new StatusReports.Pairing(peer.toString(), Rfc3339.format(clock.instant()));
        try {
            thread.execute(() -> {
                if (pendingPairings.size() >= MAX_PENDING_PAIRINGS) {
                    LOG.warn("event=pairing_report_dropped window={} reason=too_many_pending", window);
                    return;
                }
                pendingPairings.put(name, report);
                flushPairings(clock.instant());
            });
        } catch (RejectedExecutionException e) {
            LOG.warn("event=pairing_report_dropped window={} reason=shutting_down", window);
        }
    }

    void start() {
        thread.scheduleWithFixedDelay(this::tick, 0, TICK.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void tick() {
        try {
            Instant now = clock.instant();
            flushPairings(now);
            Map<String, PeerFigures> figures = sessions.governance().snapshot();
            reportInstance(now, figures);
            reportPeers(now, figures);
        } catch (RuntimeException e) {
            // Never let an unexpected failure cancel the schedule.
            LOG.error("event=status_report_failed error=\"{}\"", SecretSource.firstLine(e.toString()));
        }
    }

    private void reportInstance(Instant now, Map<String, PeerFigures> figures) {
        List<ActiveSession> active = sessions.activeSessions();
        List<StatusReports.Session> listed = active.stream()
                .limit(ReflectorInstanceStatus.MAX_ACTIVE_SESSIONS)
                .map(a -> new StatusReports.Session(
                        a.testId(),
                        a.peerId(),
                        a.testType().wire(),
                        a.port(),
                        Rfc3339.format(a.startedAt()),
                        Rfc3339.format(a.expiresAt())))
                .toList();
        Set<EndpointId> connected = new HashSet<>();
        for (PeerConnection c : reflector.connections().all()) connected.add(c.peerId());
        int testsLastHour =
                figures.values().stream().mapToInt(PeerFigures::testsLastHour).sum();
        StatusReports.Instance desired = new StatusReports.Instance(
                reflector.endpointId().toString(),
                settings.nodeName().orElse(null),
                advertisedAddress.get(),
                active.size(),
                listed,
                testsLastHour,
                sessions.bytesToday(),
                connected.size(),
                appliedConfigHash.get());
        boolean heartbeatDue = !instanceTarget.lastAttempt.plus(HEARTBEAT).isAfter(now);
        if (!desired.equals(instanceTarget.written) || heartbeatDue) {
            String object = "reflectorinstance/" + settings.instance().name();
            Optional<String> node = reportingNode();
            write(instanceTarget, object, desired, now, INSTANCE_MIN_INTERVAL, () -> {
                ReflectorInstance r = new ReflectorInstance();
                if (node.isPresent()) {
                    // One node of a fleet: only its own entry, under its own field manager, so
                    // the nodes neither overwrite each other's reports nor remove them.
                    ReflectorInstanceStatus s = new ReflectorInstanceStatus();
                    s.nodeReports = Map.of(node.get(), desired.toNodeReport(Rfc3339.format(now)));
                    r.setStatus(s);
                    apply(r, settings.instance().name(), FieldManagers.reflectorOnNode(node.get()));
                } else {
                    r.setStatus(desired.toStatus(Rfc3339.format(now)));
                    apply(r, settings.instance().name());
                }
            });
        }
    }

    private void reportPeers(Instant now, Map<String, PeerFigures> figures) {
        Set<String> names = new HashSet<>();
        Set<EndpointId> ids = new HashSet<>();
        // A peer's name is its AuthorizedPeer's name here (the operator renders it so).
        for (ConfiguredPeers.Peer p : reflector.liveConfig().peers().all()) {
            if (p.name().isEmpty()) continue;
            String name = p.name().get();
            EndpointId id = p.id();
            names.add(name);
            ids.add(id);
            Optional<StatusReports.Peer> desired = peerReport(id, figures.get(id.toString()));
            if (desired.isEmpty()) continue;
            Target t = peerTargets.computeIfAbsent(name, n -> new Target());
            if (!desired.get().equals(t.written)) {
                write(t, "authorizedpeer/" + name, desired.get(), now, MIN_INTERVAL, () -> {
                    AuthorizedPeer r = new AuthorizedPeer();
                    r.setStatus(desired.get().toStatus());
                    apply(r, name);
                });
            }
        }
        // Peers no longer in the configuration are not reported; forget them (bounded state).
        peerTargets.keySet().retainAll(names);
        seen.keySet().retainAll(ids);
    }

    /** The peer's (pod) status; empty when the peer has never been seen nor run a test. */
    private Optional<StatusReports.Peer> peerReport(EndpointId id, PeerFigures f) {
        Seen s = seen.get(id);
        if (s == null && f == null) return Optional.empty();
        Instant lastSeen = s == null ? null : s.at();
        if (f != null
                && f.lastSeen() != null
                && (lastSeen == null || f.lastSeen().isAfter(lastSeen))) {
            lastSeen = f.lastSeen();
        }
        return Optional.of(new StatusReports.Peer(
                lastSeen == null ? null : Rfc3339.format(lastSeen),
                s == null ? null : s.address(),
                f == null ? 0 : f.testsLastHour(),
                f == null ? 0 : f.bytesToday(),
                f == null ? 0 : f.totalSessions()));
    }

    private void flushPairings(Instant now) {
        for (var it = pendingPairings.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            Target t = pairingTargets.computeIfAbsent(e.getKey(), n -> new Target());
            write(t, "pairingwindow/" + e.getKey(), e.getValue(), now, MIN_INTERVAL, () -> {
                PairingWindow r = new PairingWindow();
                r.setStatus(e.getValue().toStatus());
                apply(r, e.getKey());
            });
            if (e.getValue().equals(t.written)) {
                it.remove();
                pairingTargets.remove(e.getKey());
                LOG.info(
                        "event=pairing_reported window={}/{} peer={}",
                        settings.instance().namespace(),
                        e.getKey(),
                        e.getValue().pairedEndpointId());
            }
        }
    }

    /** Writes {@code value} through {@code action} unless rate-limited or backing off. */
    private void write(Target t, String object, Object value, Instant now, Duration minInterval, Runnable action) {
        if (outage.waiting(now) || now.isBefore(t.nextAttempt) || now.isBefore(t.lastAttempt.plus(minInterval))) return;
        t.lastAttempt = now;
        long started = System.nanoTime();
        try {
            action.run();
            long millis = (System.nanoTime() - started) / 1_000_000;
            if (millis >= SLOW_WRITE.toMillis()) {
                // One thread writes everything: a slow answer delays every other object's status.
                LOG.warn("event=status_write_slow object={} duration_ms={}", object, millis);
            }
            if (outage.succeeded(clock.instant())) {
                // The write that got through may carry a time from before the API was back (the
                // client retries a request with its body): the next tick sends a fresh heartbeat.
                instanceTarget.lastAttempt = Instant.EPOCH;
            }
            t.written = value;
            if (t.failures > 0) LOG.info("event=status_write_recovered object={} failures={}", object, t.failures);
            t.failures = 0;
            t.nextAttempt = Instant.EPOCH;
        } catch (KubernetesClientException e) {
            String error = "HTTP " + e.getCode() + ": " + SecretSource.firstLine(e.getMessage());
            if (ApiOutage.unreachable(e)) {
                outage.failed(clock.instant(), error);
            } else {
                backoff(t, object, now, error);
            }
        } catch (RuntimeException e) {
            backoff(t, object, now, SecretSource.firstLine(e.toString()));
        }
    }

    private static void backoff(Target t, String object, Instant now, String error) {
        t.failures++;
        long millis = Math.min(MAX_BACKOFF.toMillis(), 1000L << Math.min(t.failures - 1, 10));
        t.nextAttempt = now.plusMillis(millis);
        LOG.warn(
                "event=status_write_failed object={} failures={} retry_in_ms={} error=\"{}\"",
                object,
                t.failures,
                millis,
                error);
    }

    /** The node to report as when this pod is one node of a PerNode instance (and knows its node). */
    private Optional<String> reportingNode() {
        return settings.reportsPerNode() ? settings.nodeName() : Optional.empty();
    }

    private <T extends CustomResource<?, ?>> void apply(T resource, String name) {
        apply(resource, name, FieldManagers.REFLECTOR);
    }

    private <T extends CustomResource<?, ?>> void apply(T resource, String name, String fieldManager) {
        resource.setMetadata(new ObjectMetaBuilder()
                .withName(name)
                .withNamespace(settings.instance().namespace())
                .build());
        resource.setSpec(null);
        client.resource(resource)
                .subresource("status")
                .patch(new PatchContext.Builder()
                        .withPatchType(PatchType.SERVER_SIDE_APPLY)
                        .withFieldManager(fieldManager)
                        .withForce(true)
                        .build());
    }

    private static String host(InetSocketAddress address) {
        if (address == null) return null;
        return address.getAddress() != null ? address.getAddress().getHostAddress() : Addresses.format(address);
    }

    /** Stops reporting; a last instance write (sessions ended, peers gone) is attempted for up to 3 s. */
    @Override
    public void close() {
        try {
            thread.submit(() -> {
                        Instant now = clock.instant();
                        instanceTarget.lastAttempt = Instant.EPOCH;
                        instanceTarget.nextAttempt = Instant.EPOCH;
                        reportInstance(now, sessions.governance().snapshot());
                    })
                    .get(3, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.debug("event=final_status_skipped error=\"{}\"", e.toString());
        }
        thread.shutdownNow();
    }
}
