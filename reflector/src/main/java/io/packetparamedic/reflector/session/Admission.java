package io.packetparamedic.reflector.session;

import io.packetparamedic.api.config.ReflectorConfig;
import io.packetparamedic.reflector.engine.PortAllocator;
import io.packetparamedic.reflector.governance.Governance;
import io.packetparamedic.reflector.governance.PeerLimits;
import io.packetparamedic.reflector.governance.PlainWords;
import io.packetparamedic.reflector.governance.Verdict;
import io.packetparamedic.reflector.tls.KeyingMaterialExporter;
import io.packetparamedic.reflector.wire.DenyReason;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The admission rules of spec section 7: whether a request is well formed and offered here, and
 * whether this peer may start it now (drain, concurrency, governance, a free data port). The
 * {@link SessionManager} runs {@link #admit} under its lock, together with recording the grant,
 * so racing requests can never together exceed a limit.
 */
final class Admission {

    /** The outcome of the checks: a data port taken for the session, or a refusal. */
    sealed interface Outcome {}

    record Admitted(int port) implements Outcome {}

    /** {@code auditReason} is what the audit log records, which may say more than the peer is told. */
    record Refused(SessionDecision.Denied denial, String auditReason) implements Outcome {}

    private final Governance governance;
    private final PortAllocator ports;

    Admission(Governance governance, PortAllocator ports) {
        this.governance = governance;
        this.ports = ports;
    }

    /** The denial for a request that is malformed or asks for what this reflector does not offer, else null. */
    static SessionDecision.Denied validate(ReflectorConfig cfg, TestRequest request) {
        Optional<TestType> type = TestType.fromWire(request.testType());
        if (type.isEmpty()) {
            return invalid("unknown test type '" + request.testType() + "'");
        }
        boolean allowed = type.get() == TestType.THROUGHPUT ? cfg.quotas.allowThroughput : cfg.quotas.allowUdpEcho;
        if (!allowed) {
            // invalid_params, as the original reflector answered: the request names something this
            // reflector does not offer; the peer itself is authorized.
            return invalid(type.get().wire() + " tests are switched off on this reflector (quotas.allow_"
                    + (type.get() == TestType.THROUGHPUT ? "throughput" : "udp_echo") + " = false)");
        }
        TestRequest.Params p = request.params();
        if (p == null || p.durationSec() == null || p.durationSec() <= 0) {
            return invalid("params.duration_sec must be a positive integer");
        }
        if (p.durationSec() > cfg.quotas.maxTestDurationSec) {
            // Not clamped: the deployed appliance runs iperf3 for the duration it asked for, not the
            // granted one, so a shorter grant would be cut at expiry in the middle of its run.
            return invalid("a " + p.durationSec() + " s test is longer than this reflector allows: " + "at most "
                    + cfg.quotas.maxTestDurationSec + " s per test (max_test_duration_sec)");
        }
        if (p.protocol() != null && !p.protocol().equals("tcp") && !p.protocol().equals("udp")) {
            return invalid("params.protocol must be tcp or udp");
        }
        if (p.streams() != null && (p.streams() < 1 || p.streams() > cfg.iperf3.maxStreams)) {
            return invalid("params.streams must be between 1 and " + cfg.iperf3.maxStreams);
        }
        if (type.get() == TestType.THROUGHPUT && "udp".equals(p.protocol())) {
            // The data-plane relay pins and relays TCP only; an unpinned UDP iperf3 port is what
            // issue 12 closed. No deployed client asks for UDP throughput.
            return invalid("throughput over udp is not offered; use tcp");
        }
        return null;
    }

    /**
     * The denial for a request whose STAMP mode cannot be had, else null: an unknown mode, a mode
     * for another test type, or authenticated STAMP on a connection whose TLS has no exporter.
     */
    static SessionDecision.Denied validateStampMode(TestType type, TestRequest request, boolean exporter) {
        String asked = request.params().stampMode();
        if (asked == null) return null;
        if (type != TestType.STAMP) return invalid("params.stamp_mode applies to stamp tests only");
        Optional<StampMode> mode = StampMode.fromWire(asked);
        if (mode.isEmpty()) {
            return invalid("params.stamp_mode must be unauthenticated or authenticated, got '" + asked + "'");
        }
        if (mode.get() == StampMode.AUTHENTICATED && !exporter) {
            return invalid("authenticated STAMP needs a key from the control connection's TLS 1.3 exporter, " + "and "
                    + KeyingMaterialExporter.UNAVAILABLE_REASON);
        }
        return null;
    }

    /** The STAMP modes a connection can have: authenticated only where its TLS has an exporter. */
    static List<StampMode> stampModes(boolean exporter) {
        return exporter
                ? List.of(StampMode.UNAUTHENTICATED, StampMode.AUTHENTICATED)
                : List.of(StampMode.UNAUTHENTICATED);
    }

    /**
     * Under the session manager's lock: may {@code peerId} start a {@code durationSec} test now,
     * next to the {@code sessions} already admitted? {@code drain} is null unless shutting down.
     * On success the data port is taken; the caller records the grant before releasing the lock.
     */
    Outcome admit(
            ReflectorConfig cfg,
            String peerId,
            int durationSec,
            Instant now,
            Collection<Session> sessions,
            SessionDrain drain) {
        if (drain != null) {
            Instant lastExpiry = sessions.stream()
                    .map(s -> s.expiresAt)
                    .max(Comparator.naturalOrder())
                    .orElse(null);
            SessionDecision.Denied refusal = drain.admit(peerId, durationSec, now, lastExpiry);
            if (refusal != null) return new Refused(refusal, "draining for shutdown");
        }
        if (sessions.size() >= cfg.quotas.maxConcurrentTests) {
            Instant soonest = sessions.stream()
                    .map(s -> s.expiresAt)
                    .min(Comparator.naturalOrder())
                    .orElse(now.plusSeconds(1));
            long wait = secondsUntil(now, soonest);
            return new Refused(
                    new SessionDecision.Denied(
                            DenyReason.BUSY,
                            "the reflector is busy: " + sessions.size()
                                    + " of " + cfg.quotas.maxConcurrentTests
                                    + " concurrent tests running; try again in "
                                    + PlainWords.duration(wait),
                            wait),
                    "max concurrent tests reached");
        }
        Verdict verdict = governance.check(peerId, PeerLimits.resolve(cfg, peerId), now);
        if (!verdict.allowed()) {
            return new Refused(
                    new SessionDecision.Denied(verdict.reason(), verdict.message(), verdict.retryAfterSec()),
                    verdict.auditReason());
        }
        OptionalInt port = ports.acquire(cfg.network.dataPortRangeStart, cfg.network.dataPortRangeEnd);
        if (port.isEmpty()) {
            return new Refused(
                    new SessionDecision.Denied(
                            DenyReason.BUSY,
                            "the reflector is busy: no free data port in " + cfg.network.dataPortRangeStart + "-"
                                    + cfg.network.dataPortRangeEnd + "; try again in 5 s",
                            5L),
                    "no free data port");
        }
        return new Admitted(port.getAsInt());
    }

    /** Whole seconds from {@code now} until {@code when}, rounded up, at least 1. */
    static long secondsUntil(Instant now, Instant when) {
        long millis = Duration.between(now, when).toMillis();
        return Math.max(1, (millis + 999) / 1000);
    }

    private static SessionDecision.Denied invalid(String message) {
        return new SessionDecision.Denied(DenyReason.INVALID_PARAMS, message, null);
    }
}
