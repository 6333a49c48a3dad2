package io.packetparamedic.reflector.session;

import io.netty.util.concurrent.DefaultThreadFactory;
import io.packetparamedic.api.config.ReflectorConfig;
import io.packetparamedic.api.identity.EndpointId;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.packetparamedic.reflector.audit.AuditEvent;
import io.packetparamedic.reflector.audit.AuditEventType;
import io.packetparamedic.reflector.audit.AuditLog;
import io.packetparamedic.reflector.engine.DataEngine;
import io.packetparamedic.reflector.engine.DataPlaneRefusal;
import io.packetparamedic.reflector.engine.EngineException;
import io.packetparamedic.reflector.engine.EngineRequest;
import io.packetparamedic.reflector.engine.PortAllocator;
import io.packetparamedic.reflector.engine.RunningEngine;
import io.packetparamedic.reflector.governance.Governance;
import io.packetparamedic.reflector.governance.PeerLimits;
import io.packetparamedic.reflector.governance.PlainWords;
import io.packetparamedic.reflector.governance.SteadyClock;
import io.packetparamedic.reflector.governance.Verdict;
import io.packetparamedic.reflector.wire.DenyReason;
import io.packetparamedic.reflector.wire.Payload;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admits, runs and ends test sessions (spec section 7).
 *
 * <p><b>Atomic admission.</b> Every decision runs on one admission thread and inside one lock:
 * the checks (concurrency, cooldown, rolling hour, daily bytes) and the recording of the grant
 * (the session entry, its port, the governance start) happen in one step, so racing requests can
 * never together exceed a limit. Nothing here runs on the caller's thread: {@link #request}
 * returns at once, the decision and the engine start (which waits for iperf3 to listen) complete
 * the stage later.
 *
 * <p><b>Back-to-back tests.</b> A field appliance runs an upload test and then, without sending
 * {@code session_close}, a download test. Its second request can arrive while the first session
 * is still winding down (iperf3 writing its totals, a UDP echo window open until expiry). So a
 * request from a peer whose own sessions have passed their granted duration (they are in the
 * 5 s grace) first ends those: a throughput session gets up to {@value #OWN_SESSION_WAIT_SEC} s
 * to finish by itself, so iperf3's totals are complete, then is stopped; a UDP echo session is
 * stopped at once (its bytes are counted as they flow). Sessions still within their duration are
 * never cut short this way and count as {@code busy}. The cooldown runs from the start of the
 * previous test (see {@link Governance}), so a first test at least {@code cooldown_sec} long never
 * delays the second.
 */
public final class SessionManager implements SessionService, MeterBinder, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SessionManager.class);
    /** The grant outlives the granted duration by this much (spec section 7). */
    public static final int GRACE_SEC = 5;
    static final int OWN_SESSION_WAIT_SEC = 3;
    private static final int ADMISSION_QUEUE = 256;
    /** Refused data-plane connections audited per session; the metric counts them all. */
    static final int MAX_REFUSALS_AUDITED = 32;

    private final Supplier<ReflectorConfig> config;
    private final Governance governance;
    private final AuditLog audit;
    private final Map<TestType, DataEngine> engines;
    private final PortAllocator ports;
    private final Clock clock;
    private final ThreadPoolExecutor admission;
    private final ThreadPoolExecutor starter;
    private final ScheduledExecutorService timer;

    /** Unbound until {@link #bindTo}: the reflector binds its scraped registry before serving. */
    private volatile SessionMeters meters = new SessionMeters(new SimpleMeterRegistry(), () -> 0);

    private final Object lock = new Object();
    /** Sessions from admission until their engine has stopped; guarded by {@link #lock}. */
    private final Map<String, Session> sessions = new LinkedHashMap<>();
    /** Set once shutdown begins; guarded by {@link #lock}. */
    private SessionDrain drain;

    public SessionManager(Supplier<ReflectorConfig> config, Governance governance, AuditLog audit,
            DataEngine throughput, DataEngine udpEcho, PortAllocator ports) {
        this.config = config;
        this.governance = governance;
        this.audit = audit;
        this.engines = new EnumMap<>(TestType.class);
        this.engines.put(TestType.THROUGHPUT, throughput);
        this.engines.put(TestType.UDP_ECHO, udpEcho);
        this.ports = ports;
        this.clock = governance.clock();
        this.admission = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(ADMISSION_QUEUE), new DefaultThreadFactory("session-admission", true));
        this.starter = new ThreadPoolExecutor(4, 4, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(ADMISSION_QUEUE), new DefaultThreadFactory("session-starter", true));
        this.starter.allowCoreThreadTimeOut(true);
        this.timer = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("session-timer", true));
    }

    /** Publishes the session meters (active gauge, grants, denials by reason, bytes) on {@code registry}. */
    @Override
    public void bindTo(MeterRegistry registry) {
        meters = new SessionMeters(registry, () -> activeSessions().size());
    }

    public Governance governance() {
        return governance;
    }

    @Override
    public CompletionStage<Payload> request(PeerContext peer, Payload.SessionRequest request) {
        String peerId = peer.peerId().toString();
        ReflectorConfig cfg = config.get();
        governance.seen(peerId, clock.instant());
        Payload.SessionDeny invalid = validate(cfg, request);
        if (invalid != null) {
            auditDenied(peer, request, invalid.reason(), invalid.message());
            return CompletableFuture.completedFuture(invalid);
        }
        TestType type = TestType.fromWire(request.testType()).orElseThrow();
        try {
            return finishOwnEndedSessions(peerId)
                    .thenComposeAsync(v -> admitAndStart(peer, type, request), admission)
                    .exceptionally(e -> overloaded(peer, request));
        } catch (RejectedExecutionException e) {
            return CompletableFuture.completedFuture(overloaded(peer, request));
        }
    }

    @Override
    public Payload close(PeerContext peer, String testId) {
        Session session;
        synchronized (lock) {
            session = testId == null ? null : sessions.get(testId);
            if (session == null) return new Payload.Error(404, "no such test");
            if (!session.peerId.equals(peer.peerId().toString())) {
                LOG.warn("event=session_close_refused test_id={} peer={} owner={}", testId, peer.peerId(), session.peerId);
                return new Payload.Error(403, "the test belongs to another peer");
            }
        }
        LOG.info("event=session_close test_id={} peer={}", testId, session.peerId);
        stop(session, "closed");
        return new Payload.Ok();
    }

    @Override
    public Optional<Payload.ActiveTest> activeTest() {
        Instant now = clock.instant();
        return activeSessions().stream().findFirst().map(s -> new Payload.ActiveTest(s.testId(), s.testType().wire(),
                s.peerId(), rfc3339(SteadyClock.onWall(clock, s.startedAt())), Math.max(0, secondsUntil(now, s.expiresAt()))));
    }

    @Override
    public long testsToday() {
        return governance.testsToday();
    }

    @Override
    public long bytesToday() {
        return governance.bytesToday();
    }

    @Override
    public void endSessionsOf(EndpointId peer) {
        String peerId = peer.toString();
        List<Session> ending = new ArrayList<>();
        synchronized (lock) {
            for (Session s : sessions.values()) if (s.peerId.equals(peerId)) ending.add(s);
        }
        ending.forEach(s -> stop(s, "peer_removed"));
    }

    /**
     * Begins a graceful shutdown: new tests are refused as busy (see {@link SessionDrain}), running
     * ones go on. Completes once none is left; the caller bounds the wait and then closes.
     */
    @Override
    public CompletableFuture<Void> drain(Duration period) {
        synchronized (lock) {
            if (drain == null) {
                java.util.Set<String> running = new java.util.HashSet<>();
                sessions.values().forEach(s -> running.add(s.peerId));
                drain = new SessionDrain(clock.instant().plus(period), running);
                LOG.info("event=sessions_draining running={} drain_timeout_sec={}", sessions.size(), period.toSeconds());
                checkDrained();
            }
            return drain.done().copy();
        }
    }

    /** Under {@link #lock}: completes the drain when no session is left and no follow-up can come. */
    private void checkDrained() {
        if (drain == null || !sessions.isEmpty()) return;
        if (drain.noFollowUpPending() || timer.isShutdown()) {
            drain.done().complete(null);
            return;
        }
        timer.schedule(() -> {
            synchronized (lock) {
                drain.forfeitFollowUps();
                checkDrained();
            }
        }, SessionDrain.FOLLOW_UP_WAIT_SEC, TimeUnit.SECONDS);
    }

    /** Running sessions (engine up), oldest first. */
    public List<ActiveSession> activeSessions() {
        synchronized (lock) {
            return sessions.values().stream()
                    .filter(s -> s.engine != null)
                    .sorted(Comparator.comparing(s -> s.start))
                    .map(s -> new ActiveSession(s.testId, s.type, s.peerId, s.port, s.start, s.expiresAt))
                    .toList();
        }
    }

    /** Completes when the session has ended (immediately when there is no such session). */
    public CompletableFuture<Void> ended(String testId) {
        synchronized (lock) {
            Session s = sessions.get(testId);
            return s == null ? CompletableFuture.completedFuture(null) : s.ended.copy();
        }
    }

    /** The engine serving a session, while it runs (tests and diagnostics). */
    public Optional<RunningEngine> engineOf(String testId) {
        synchronized (lock) {
            Session s = sessions.get(testId);
            return Optional.ofNullable(s == null ? null : s.engine);
        }
    }

    // ---- admission ----------------------------------------------------------------------------

    private static Payload.SessionDeny validate(ReflectorConfig cfg, Payload.SessionRequest request) {
        Optional<TestType> type = TestType.fromWire(request.testType());
        if (type.isEmpty()) {
            return deny(DenyReason.INVALID_PARAMS, "unknown test type '" + request.testType() + "'", null);
        }
        boolean allowed = type.get() == TestType.THROUGHPUT ? cfg.quotas.allowThroughput : cfg.quotas.allowUdpEcho;
        if (!allowed) {
            // invalid_params, as the original reflector answered: the request names something this
            // reflector does not offer; the peer itself is authorized.
            return deny(DenyReason.INVALID_PARAMS, type.get().wire() + " tests are switched off on this reflector (quotas.allow_"
                    + (type.get() == TestType.THROUGHPUT ? "throughput" : "udp_echo") + " = false)", null);
        }
        Payload.SessionParams p = request.params();
        if (p == null || p.durationSec() == null || p.durationSec() <= 0) {
            return deny(DenyReason.INVALID_PARAMS, "params.duration_sec must be a positive integer", null);
        }
        if (p.durationSec() > cfg.quotas.maxTestDurationSec) {
            // Not clamped: the deployed appliance runs iperf3 for the duration it asked for, not the
            // granted one, so a shorter grant would be cut at expiry in the middle of its run.
            return deny(DenyReason.INVALID_PARAMS, "a " + p.durationSec() + " s test is longer than this reflector allows: "
                    + "at most " + cfg.quotas.maxTestDurationSec + " s per test (max_test_duration_sec)", null);
        }
        if (p.protocol() != null && !p.protocol().equals("tcp") && !p.protocol().equals("udp")) {
            return deny(DenyReason.INVALID_PARAMS, "params.protocol must be tcp or udp", null);
        }
        if (p.streams() != null && (p.streams() < 1 || p.streams() > cfg.iperf3.maxStreams)) {
            return deny(DenyReason.INVALID_PARAMS, "params.streams must be between 1 and " + cfg.iperf3.maxStreams, null);
        }
        if (type.get() == TestType.THROUGHPUT && "udp".equals(p.protocol())) {
            // The data-plane relay pins and relays TCP only; an unpinned UDP iperf3 port is what
            // issue 12 closed. No deployed client asks for UDP throughput.
            return deny(DenyReason.INVALID_PARAMS, "throughput over udp is not offered; use tcp", null);
        }
        return null;
    }

    /** Ends the peer's own sessions that are past their granted duration; see the class comment. */
    private CompletableFuture<Void> finishOwnEndedSessions(String peerId) {
        Instant now = clock.instant();
        List<Session> over = new ArrayList<>();
        synchronized (lock) {
            for (Session s : sessions.values()) {
                if (s.peerId.equals(peerId) && s.engine != null && !now.isBefore(s.durationEnd())) over.add(s);
            }
        }
        if (over.isEmpty()) return CompletableFuture.completedFuture(null);
        List<CompletableFuture<Void>> waits = new ArrayList<>();
        for (Session s : over) {
            LOG.info("event=session_superseded test_id={} peer={} type={}", s.testId, peerId, s.type.wire());
            if (s.type == TestType.UDP_ECHO) {
                stop(s, "superseded");
            } else {
                ScheduledFuture<?> cut = timer.schedule(() -> stop(s, "superseded"), OWN_SESSION_WAIT_SEC, TimeUnit.SECONDS);
                s.ended.whenComplete((v, e) -> cut.cancel(false));
            }
            waits.add(s.ended);
        }
        return CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new))
                .completeOnTimeout(null, OWN_SESSION_WAIT_SEC + 2, TimeUnit.SECONDS);
    }

    private CompletionStage<Payload> admitAndStart(PeerContext peer, TestType type, Payload.SessionRequest request) {
        ReflectorConfig cfg = config.get();
        String peerId = peer.peerId().toString();
        Session session;
        synchronized (lock) {
            Instant now = clock.instant();
            if (drain != null) {
                Instant lastExpiry = sessions.values().stream().map(s -> s.expiresAt).max(Comparator.naturalOrder()).orElse(null);
                Payload.SessionDeny refusal = drain.admit(peerId, request.params().durationSec(), now, lastExpiry);
                if (refusal != null) return denied(peer, request, refusal, "draining for shutdown");
            }
            if (sessions.size() >= cfg.quotas.maxConcurrentTests) {
                Instant soonest = sessions.values().stream().map(s -> s.expiresAt).min(Comparator.naturalOrder())
                        .orElse(now.plusSeconds(1));
                long wait = secondsUntil(now, soonest);
                return denied(peer, request, deny(DenyReason.BUSY, "the reflector is busy: " + sessions.size() + " of "
                        + cfg.quotas.maxConcurrentTests + " concurrent tests running; try again in " + PlainWords.duration(wait),
                        wait), "max concurrent tests reached");
            }
            Verdict verdict = governance.check(peerId, PeerLimits.resolve(cfg, peerId), now);
            if (!verdict.allowed()) {
                return denied(peer, request, deny(verdict.reason(), verdict.message(), verdict.retryAfterSec()),
                        verdict.auditReason());
            }
            OptionalInt port = ports.acquire(cfg.network.dataPortRangeStart, cfg.network.dataPortRangeEnd);
            if (port.isEmpty()) {
                return denied(peer, request, deny(DenyReason.BUSY, "the reflector is busy: no free data port in "
                        + cfg.network.dataPortRangeStart + "-" + cfg.network.dataPortRangeEnd + "; try again in 5 s", 5L),
                        "no free data port");
            }
            int duration = request.params().durationSec();
            session = new Session(UUID.randomUUID().toString(), peer, type, request, port.getAsInt(), duration, now);
            session.receipt = governance.recordStart(peerId, now);
            sessions.put(session.testId, session);
        }
        CompletableFuture<Payload> result = new CompletableFuture<>();
        try {
            starter.execute(() -> result.complete(startEngine(session)));
        } catch (RejectedExecutionException e) {
            result.complete(startFailed(session, "the reflector is overloaded, try again shortly"));
        }
        return result;
    }

    private Payload startEngine(Session session) {
        DataEngine engine = engines.get(session.type);
        long lifetime = Math.max(1, (Duration.between(clock.instant(), session.expiresAt).toMillis() + 999) / 1000);
        RunningEngine running;
        try {
            Payload.SessionParams p = session.request.params();
            int streams = p.streams() != null ? p.streams() : config.get().iperf3.defaultStreams;
            running = engine.start(new EngineRequest(session.testId, session.port, (int) lifetime,
                    session.peer.remoteAddress().getAddress(), streams, Boolean.TRUE.equals(p.reverse()),
                    refusal -> refused(session, refusal)));
        } catch (EngineException e) {
            return startFailed(session, e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("event=engine_start_crashed test_id={} error=\"{}\"", session.testId, e.toString());
            return startFailed(session, "engine failed to start: " + e.getClass().getSimpleName());
        }
        boolean stopNow;
        synchronized (lock) {
            session.engine = running;
            stopNow = session.stopRequested;
            long delayMs = Math.max(0, Duration.between(clock.instant(), session.expiresAt).toMillis());
            session.expiry = timer.schedule(() -> stop(session, "expired"), delayMs, TimeUnit.MILLISECONDS);
        }
        running.completion().whenComplete((bytes, error) -> completed(session, bytes == null ? 0 : bytes));
        if (stopNow) running.stop();
        Payload.SessionGrant grant = grantFor(session);
        audit.record(AuditEvent.of(AuditEventType.SESSION_GRANTED)
                .withPeer(session.peerId)
                .withRemoteAddress(address(session.peer))
                .withTest(session.type.wire(), session.testId)
                .withParams(auditParams(session.request, session))
                .withDecision("granted", null));
        meters.granted(session.type).increment();
        LOG.info("event=session_granted test_id={} peer={} type={} port={} duration_sec={} expires_at={}",
                session.testId, session.peerId, session.type.wire(), session.port, session.durationSec, grant.expiresAt());
        return grant;
    }

    /**
     * The grant, with the limits a client needs to behave well (see {@link Payload.SessionGrant}):
     * they are resolved now, so they are this peer's, under the configuration in force.
     */
    private Payload.SessionGrant grantFor(Session session) {
        ReflectorConfig cfg = config.get();
        PeerLimits limits = PeerLimits.resolve(cfg, session.peerId);
        boolean throughput = session.type == TestType.THROUGHPUT;
        Integer streams = session.request.params().streams();
        long remaining = Math.max(0, limits.maxBytesPerDay() - governance.peerBytesToday(session.peerId, clock.instant()));
        return new Payload.SessionGrant(session.testId, "direct_ephemeral", session.port, UUID.randomUUID().toString(),
                rfc3339(SteadyClock.onWall(clock, session.expiresAt)), session.durationSec,
                throughput ? (streams != null ? streams : cfg.iperf3.defaultStreams) : null,
                throughput ? null : (long) cfg.quotas.udpEchoMaxPacketRate, limits.cooldownSec(), remaining);
    }

    private Payload startFailed(Session session, String message) {
        synchronized (lock) {
            sessions.remove(session.testId);
            ports.release(session.port);
            governance.cancelStart(session.receipt);
            checkDrained();
        }
        session.ended.complete(null);
        LOG.error("event=engine_start_failed test_id={} peer={} type={} port={} error=\"{}\"",
                session.testId, session.peerId, session.type.wire(), session.port, message);
        return denied(session.peer, session.request, deny(DenyReason.BUSY,
                        session.type.wire() + " tests are unavailable on this reflector right now: " + message, null),
                message).toCompletableFuture().join();
    }

    private void stop(Session session, String why) {
        RunningEngine engine;
        synchronized (lock) {
            if (!sessions.containsKey(session.testId)) return;
            session.stopRequested = true;
            engine = session.engine;
        }
        if (engine != null) {
            LOG.info("event=session_stopping test_id={} peer={} why={}", session.testId, session.peerId, why);
            engine.stop();
        }
    }

    /**
     * A connection to the session's data port that the relay refused (on a relay event loop): counted
     * always, audited as {@code connection_denied} with its source up to {@link #MAX_REFUSALS_AUDITED}
     * times per session, so a flood of strangers cannot fill the audit log; the session's
     * {@code session_completed} event carries the full count.
     */
    private void refused(Session session, DataPlaneRefusal refusal) {
        meters.refused(refusal.reason()).increment();
        if (session.dataPlaneRefusals.incrementAndGet() > MAX_REFUSALS_AUDITED) return;
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("port", refusal.port());
        audit.record(AuditEvent.of(AuditEventType.CONNECTION_DENIED)
                .withRemoteAddress(refusal.source() == null ? null
                        : io.packetparamedic.reflector.server.Addresses.format(refusal.source()))
                .withTest(session.type.wire(), session.testId)
                .withParams(params)
                .withDecision("denied", "dataplane_refused: " + refusal.reason().wire()));
    }

    private void completed(Session session, long bytes) {
        Instant end = clock.instant();
        synchronized (lock) {
            if (sessions.remove(session.testId) == null) return;
            ports.release(session.port);
            governance.recordEnd(session.peerId, end, bytes);
            if (session.expiry != null) session.expiry.cancel(false);
            checkDrained();
        }
        double seconds = Duration.between(session.start, end).toMillis() / 1000.0;
        long refusals = session.dataPlaneRefusals.get();
        audit.record(AuditEvent.of(AuditEventType.SESSION_COMPLETED)
                .withPeer(session.peerId)
                .withRemoteAddress(address(session.peer))
                .withTest(session.type.wire(), session.testId)
                .withParams(refusals == 0 ? null : Map.of("dataplane_refused", refusals))
                .withTotals(bytes, seconds));
        meters.bytes(session.type).increment(bytes);
        LOG.info("event=session_completed test_id={} peer={} type={} port={} bytes={} duration_sec={}",
                session.testId, session.peerId, session.type.wire(), session.port, bytes, seconds);
        session.ended.complete(null);
    }

    private CompletionStage<Payload> denied(PeerContext peer, Payload.SessionRequest request, Payload.SessionDeny deny,
            String auditReason) {
        auditDenied(peer, request, deny.reason(), auditReason);
        LOG.info("event=session_denied peer={} type={} reason={} retry_after_sec={} message=\"{}\"", peer.peerId(),
                request.testType(), deny.reason(), deny.retryAfterSec(), deny.message());
        return CompletableFuture.completedFuture(deny);
    }

    private Payload overloaded(PeerContext peer, Payload.SessionRequest request) {
        return denied(peer, request, deny(DenyReason.BUSY,
                "the reflector is overloaded; try again in a few seconds", 1L), "admission queue full")
                .toCompletableFuture().join();
    }

    /** Every denial passes here, so the audit line and the denial counter never disagree. */
    private void auditDenied(PeerContext peer, Payload.SessionRequest request, String reason, String auditReason) {
        meters.denied(reason).increment();
        audit.record(AuditEvent.of(AuditEventType.SESSION_DENIED)
                .withPeer(peer.peerId().toString())
                .withRemoteAddress(address(peer))
                .withTest(request.testType(), null)
                .withParams(request.params())
                .withDecision("denied", auditReason != null ? auditReason : reason));
    }

    private static Map<String, Object> auditParams(Payload.SessionRequest request, Session session) {
        Map<String, Object> params = new LinkedHashMap<>();
        Payload.SessionParams p = request.params();
        params.put("duration_sec", session.durationSec);
        if (p.protocol() != null) params.put("protocol", p.protocol());
        if (p.streams() != null) params.put("streams", p.streams());
        if (p.reverse() != null) params.put("reverse", p.reverse());
        params.put("port", session.port);
        return params;
    }

    private static Payload.SessionDeny deny(DenyReason reason, String message, Long retryAfterSec) {
        return new Payload.SessionDeny(reason.wire(), message, retryAfterSec);
    }

    private static String address(PeerContext peer) {
        return peer.remoteAddress() == null ? null
                : peer.remoteAddress().getAddress().getHostAddress() + ":" + peer.remoteAddress().getPort();
    }

    private static String rfc3339(Instant instant) {
        return instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private static long secondsUntil(Instant now, Instant when) {
        long millis = Duration.between(now, when).toMillis();
        return Math.max(1, (millis + 999) / 1000);
    }


    /** Stops every session, waits briefly for their engines, and stops the manager's threads. */
    @Override
    public void close() {
        List<Session> all;
        synchronized (lock) {
            all = new ArrayList<>(sessions.values());
        }
        all.forEach(s -> stop(s, "shutdown"));
        try {
            CompletableFuture.allOf(all.stream().map(s -> s.ended).toArray(CompletableFuture[]::new))
                    .get(3, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("event=session_shutdown_slow pending={}", all.size());
        }
        admission.shutdownNow();
        starter.shutdownNow();
        timer.shutdownNow();
    }

    private static final class Session {
        final String testId;
        final PeerContext peer;
        final String peerId;
        final TestType type;
        final Payload.SessionRequest request;
        final int port;
        final int durationSec;
        final Instant start;
        final Instant expiresAt;
        final CompletableFuture<Void> ended = new CompletableFuture<>();
        /** Connections to the data port the relay refused; the first few are audited one by one. */
        final java.util.concurrent.atomic.AtomicLong dataPlaneRefusals = new java.util.concurrent.atomic.AtomicLong();
        Governance.StartReceipt receipt;
        volatile RunningEngine engine;
        ScheduledFuture<?> expiry;
        boolean stopRequested;

        Session(String testId, PeerContext peer, TestType type, Payload.SessionRequest request, int port,
                int durationSec, Instant start) {
            this.testId = testId;
            this.peer = peer;
            this.peerId = peer.peerId().toString();
            this.type = type;
            this.request = request;
            this.port = port;
            this.durationSec = durationSec;
            this.start = start;
            this.expiresAt = start.plusSeconds(durationSec + GRACE_SEC);
        }

        Instant durationEnd() {
            return start.plusSeconds(durationSec);
        }
    }
}
