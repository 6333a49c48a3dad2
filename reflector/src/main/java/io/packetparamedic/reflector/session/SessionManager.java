package io.packetparamedic.reflector.session;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.packetparamedic.api.config.ReflectorConfig;
import io.packetparamedic.api.identity.EndpointId;
import io.packetparamedic.reflector.audit.AuditLog;
import io.packetparamedic.reflector.engine.DataEngine;
import io.packetparamedic.reflector.engine.EngineException;
import io.packetparamedic.reflector.engine.EngineRequest;
import io.packetparamedic.reflector.engine.PortAllocator;
import io.packetparamedic.reflector.engine.RunningEngine;
import io.packetparamedic.reflector.engine.StampHmac;
import io.packetparamedic.reflector.governance.Governance;
import io.packetparamedic.reflector.governance.PeerLimits;
import io.packetparamedic.reflector.governance.SteadyClock;
import io.packetparamedic.reflector.wire.DenyReason;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
 * Runs test sessions from admission to end (spec section 7): the rules of admission are
 * {@link Admission}'s, the audit records, meters and event lines {@link SessionEvents}'; this class
 * owns the sessions, their engines, timers and the drain.
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
    static final int OWN_SESSION_WAIT_SEC = 3;
    private static final int ADMISSION_QUEUE = 256;

    private final Supplier<ReflectorConfig> config;
    private final Governance governance;
    private final Admission admission;
    private final SessionEvents events;
    private final Map<TestType, DataEngine> engines;
    private final PortAllocator ports;
    private final Clock clock;
    private final ThreadPoolExecutor admitter;
    private final ThreadPoolExecutor starter;
    private final ScheduledExecutorService timer;

    private final Object lock = new Object();
    /** Sessions from admission until their engine has stopped; guarded by {@link #lock}. */
    private final Map<String, Session> sessions = new LinkedHashMap<>();
    /**
     * Sessions whose engine has completed and which are being accounted (audit, meters) outside
     * the lock: {@link #ended} must still wait for them, not report them ended while their bytes
     * are not yet counted.
     */
    private final Map<String, Session> finishing = new HashMap<>();
    /** Set once shutdown begins; guarded by {@link #lock}. */
    private SessionDrain drain;

    public SessionManager(
            Supplier<ReflectorConfig> config,
            Governance governance,
            AuditLog audit,
            DataEngine throughput,
            DataEngine udpEcho,
            DataEngine stamp,
            PortAllocator ports) {
        this.config = config;
        this.governance = governance;
        this.admission = new Admission(governance, ports);
        this.events = new SessionEvents(audit);
        this.engines = new EnumMap<>(TestType.class);
        this.engines.put(TestType.THROUGHPUT, throughput);
        this.engines.put(TestType.UDP_ECHO, udpEcho);
        this.engines.put(TestType.STAMP, stamp);
        this.ports = ports;
        this.clock = governance.clock();
        this.admitter = new ThreadPoolExecutor(
                1,
                1,
                0,
                TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(ADMISSION_QUEUE),
                new DefaultThreadFactory("session-admission", true));
        this.starter = new ThreadPoolExecutor(
                4,
                4,
                30,
                TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(ADMISSION_QUEUE),
                new DefaultThreadFactory("session-starter", true));
        this.starter.allowCoreThreadTimeOut(true);
        this.timer = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("session-timer", true));
    }

    /** Publishes the session meters (active gauge, grants, denials by reason, bytes) on {@code registry}. */
    @Override
    public void bindTo(MeterRegistry registry) {
        events.bindTo(registry, () -> activeSessions().size());
        // Engines with meters of their own (STAMP residence time) publish them on the same registry.
        for (DataEngine engine : engines.values()) {
            if (engine instanceof MeterBinder binder) binder.bindTo(registry);
        }
    }

    public Governance governance() {
        return governance;
    }

    @Override
    public CompletionStage<SessionDecision> request(PeerContext peer, TestRequest request) {
        String peerId = peer.peerId().toString();
        governance.seen(peerId, clock.instant());
        SessionDecision.Denied invalid = Admission.validate(config.get(), request);
        if (invalid != null) {
            events.invalid(peer, request, invalid);
            return CompletableFuture.completedFuture(invalid);
        }
        TestType type = TestType.fromWire(request.testType()).orElseThrow();
        SessionDecision.Denied badMode =
                Admission.validateStampMode(type, request, peer.keyingMaterial().available());
        if (badMode != null) {
            events.invalid(peer, request, badMode);
            return CompletableFuture.completedFuture(badMode);
        }
        try {
            return finishOwnEndedSessions(peerId)
                    .thenComposeAsync(v -> admitAndStart(peer, type, request), admitter)
                    .exceptionally(e -> overloaded(peer, request));
        } catch (RejectedExecutionException e) {
            return CompletableFuture.completedFuture(overloaded(peer, request));
        }
    }

    @Override
    public CloseOutcome close(PeerContext peer, String testId) {
        Session session;
        synchronized (lock) {
            session = testId == null ? null : sessions.get(testId);
            if (session == null) return CloseOutcome.NO_SUCH_TEST;
            if (!session.peerId.equals(peer.peerId().toString())) {
                LOG.warn(
                        "event=session_close_refused test_id={} peer={} owner={}",
                        testId,
                        peer.peerId(),
                        session.peerId);
                return CloseOutcome.NOT_OWNER;
            }
        }
        LOG.info("event=session_close test_id={} peer={}", testId, session.peerId);
        stop(session, "closed");
        return CloseOutcome.CLOSED;
    }

    @Override
    public Optional<RunningTest> activeTest() {
        Instant now = clock.instant();
        return activeSessions().stream()
                .findFirst()
                .map(s -> new RunningTest(
                        s.testId(),
                        s.testType(),
                        s.peerId(),
                        SteadyClock.onWall(clock, s.startedAt()),
                        Math.max(0, Admission.secondsUntil(now, s.expiresAt()))));
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
                Set<String> running = new HashSet<>();
                sessions.values().forEach(s -> running.add(s.peerId));
                drain = new SessionDrain(clock.instant().plus(period), running);
                LOG.info(
                        "event=sessions_draining running={} drain_timeout_sec={}", sessions.size(), period.toSeconds());
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
        timer.schedule(
                () -> {
                    synchronized (lock) {
                        drain.forfeitFollowUps();
                        checkDrained();
                    }
                },
                SessionDrain.FOLLOW_UP_WAIT_SEC,
                TimeUnit.SECONDS);
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
            if (s == null) s = finishing.get(testId);
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
            if (s.type != TestType.THROUGHPUT) {
                stop(s, "superseded");
            } else {
                ScheduledFuture<?> cut =
                        timer.schedule(() -> stop(s, "superseded"), OWN_SESSION_WAIT_SEC, TimeUnit.SECONDS);
                s.ended.whenComplete((v, e) -> cut.cancel(false));
            }
            waits.add(s.ended);
        }
        return CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new))
                .completeOnTimeout(null, OWN_SESSION_WAIT_SEC + 2, TimeUnit.SECONDS);
    }

    private CompletionStage<SessionDecision> admitAndStart(PeerContext peer, TestType type, TestRequest request) {
        ReflectorConfig cfg = config.get();
        String peerId = peer.peerId().toString();
        int duration = request.params().durationSec();
        Session session;
        synchronized (lock) {
            Instant now = clock.instant();
            Admission.Outcome outcome = admission.admit(cfg, peerId, duration, now, sessions.values(), drain);
            if (outcome instanceof Admission.Refused refused) {
                return CompletableFuture.completedFuture(
                        denied(peer, request, refused.denial(), refused.auditReason()));
            }
            int port = ((Admission.Admitted) outcome).port();
            session = new Session(UUID.randomUUID().toString(), peer, type, request, port, duration, now);
            session.receipt = governance.recordStart(peerId, now);
            sessions.put(session.testId, session);
        }
        CompletableFuture<SessionDecision> result = new CompletableFuture<>();
        try {
            starter.execute(() -> result.complete(startEngine(session)));
        } catch (RejectedExecutionException e) {
            result.complete(startFailed(session, "the reflector is overloaded, try again shortly"));
        }
        return result;
    }

    private SessionDecision startEngine(Session session) {
        DataEngine engine = engines.get(session.type);
        long lifetime = Math.max(
                1, (Duration.between(clock.instant(), session.expiresAt).toMillis() + 999) / 1000);
        RunningEngine running;
        try {
            TestRequest.Params p = session.request.params();
            int streams = p.streams() != null ? p.streams() : config.get().iperf3.defaultStreams;
            StampHmac stampKey = null;
            if (StampMode.fromWire(p.stampMode()).orElseThrow() == StampMode.AUTHENTICATED) {
                // Derived now that the session id is known; the peer derives the same key from its
                // side of the connection (docs/protocol.md, "Authenticated STAMP").
                Optional<StampHmac> key = StampHmac.forSession(session.peer.keyingMaterial(), session.testId);
                if (key.isEmpty()) {
                    return startFailed(session, "the control connection's TLS exporter gave no key");
                }
                stampKey = key.get();
            }
            running = engine.start(new EngineRequest(
                    session.testId,
                    session.port,
                    (int) lifetime,
                    session.peer.remoteAddress().getAddress(),
                    streams,
                    Boolean.TRUE.equals(p.reverse()),
                    refusal -> events.refused(session, refusal),
                    stampKey));
        } catch (EngineException e) {
            return startFailed(session, e.getMessage());
        } catch (RuntimeException | Error e) {
            // An Error too (no memory for a buffer, a native library that does not link): left to
            // escape, it would end the starter task with the request never answered and the
            // session holding its port until the reflector restarts.
            LOG.error("event=engine_start_crashed test_id={} error=\"{}\"", session.testId, e.toString());
            return startFailed(
                    session, "engine failed to start: " + e.getClass().getSimpleName());
        }
        boolean stopNow;
        synchronized (lock) {
            session.engine = running;
            stopNow = session.stopRequested;
            long delayMs = Math.max(
                    0, Duration.between(clock.instant(), session.expiresAt).toMillis());
            session.expiry = timer.schedule(() -> stop(session, "expired"), delayMs, TimeUnit.MILLISECONDS);
        }
        running.completion().whenComplete((bytes, error) -> completed(session, bytes == null ? 0 : bytes));
        if (stopNow) running.stop();
        SessionDecision.Granted grant = grantFor(session);
        events.granted(session, grant);
        return grant;
    }

    /**
     * The grant, with the limits a client needs to behave well: they are resolved now, so they are
     * this peer's, under the configuration in force.
     */
    private SessionDecision.Granted grantFor(Session session) {
        ReflectorConfig cfg = config.get();
        PeerLimits limits = PeerLimits.resolve(cfg, session.peerId);
        boolean throughput = session.type == TestType.THROUGHPUT;
        Integer streams = session.request.params().streams();
        long remaining =
                Math.max(0, limits.maxBytesPerDay() - governance.peerBytesToday(session.peerId, clock.instant()));
        return new SessionDecision.Granted(
                session.testId,
                session.port,
                UUID.randomUUID().toString(),
                SteadyClock.onWall(clock, session.expiresAt).truncatedTo(ChronoUnit.SECONDS),
                session.durationSec,
                throughput ? (streams != null ? streams : cfg.iperf3.defaultStreams) : null,
                throughput ? null : (long) cfg.quotas.udpEchoMaxPacketRate,
                limits.cooldownSec(),
                remaining,
                session.type == TestType.STAMP
                        ? Admission.stampModes(session.peer.keyingMaterial().available())
                        : null);
    }

    private SessionDecision startFailed(Session session, String message) {
        synchronized (lock) {
            sessions.remove(session.testId);
            ports.release(session.port);
            governance.cancelStart(session.receipt);
            checkDrained();
        }
        session.ended.complete(null);
        LOG.error(
                "event=engine_start_failed test_id={} peer={} type={} port={} error=\"{}\"",
                session.testId,
                session.peerId,
                session.type.wire(),
                session.port,
                message);
        return denied(
                session.peer,
                session.request,
                new SessionDecision.Denied(
                        DenyReason.BUSY,
                        session.type.wire() + " tests are unavailable on this reflector right now: " + message,
                        null),
                message);
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

    private void completed(Session session, long bytes) {
        Instant end = clock.instant();
        synchronized (lock) {
            if (sessions.remove(session.testId) == null) return;
            finishing.put(session.testId, session);
            ports.release(session.port);
            governance.recordEnd(session.peerId, end, bytes);
            if (session.expiry != null) session.expiry.cancel(false);
            checkDrained();
        }
        try {
            events.completed(
                    session, bytes, Duration.between(session.start, end).toMillis() / 1000.0);
        } finally {
            session.ended.complete(null);
            synchronized (lock) {
                finishing.remove(session.testId);
            }
        }
    }

    private SessionDecision denied(
            PeerContext peer, TestRequest request, SessionDecision.Denied denial, String auditReason) {
        events.denied(peer, request, denial, auditReason);
        return denial;
    }

    private SessionDecision overloaded(PeerContext peer, TestRequest request) {
        return denied(
                peer,
                request,
                new SessionDecision.Denied(
                        DenyReason.BUSY, "the reflector is overloaded; try again in a few seconds", 1L),
                "admission queue full");
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
        admitter.shutdownNow();
        starter.shutdownNow();
        timer.shutdownNow();
    }
}
