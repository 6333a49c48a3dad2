package io.packetparamedic.reflector.session;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.packetparamedic.reflector.audit.AuditEvent;
import io.packetparamedic.reflector.audit.AuditEventType;
import io.packetparamedic.reflector.audit.AuditLog;
import io.packetparamedic.reflector.engine.DataPlaneRefusal;
import io.packetparamedic.reflector.wire.Addresses;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a session's events are told: one audit record, one meter step and (for most) one log line
 * per event, so the audit log, the metrics and the logs never disagree about what happened.
 */
final class SessionEvents {

    /** Under the session manager's logger name, as these lines always were: log filters select on it. */
    private static final Logger LOG = LoggerFactory.getLogger(SessionManager.class);
    /** Refused data-plane connections audited per session; the metric counts them all. */
    static final int MAX_REFUSALS_AUDITED = 32;

    private final AuditLog audit;
    /** Unbound until {@link #bindTo}: the reflector binds its scraped registry before serving. */
    private volatile SessionMeters meters = new SessionMeters(new SimpleMeterRegistry(), () -> 0);

    SessionEvents(AuditLog audit) {
        this.audit = audit;
    }

    void bindTo(MeterRegistry registry, IntSupplier activeSessions) {
        meters = new SessionMeters(registry, activeSessions);
    }

    /** A request refused before admission (malformed, or a test type switched off): audited with its message. */
    void invalid(PeerContext peer, TestRequest request, SessionDecision.Denied denial) {
        audited(peer, request, denial.reason().wire(), denial.message());
    }

    /** A request refused by the admission checks; {@code auditReason} may say more than the peer is told. */
    void denied(PeerContext peer, TestRequest request, SessionDecision.Denied denial, String auditReason) {
        audited(peer, request, denial.reason().wire(), auditReason);
        LOG.info(
                "event=session_denied peer={} type={} reason={} retry_after_sec={} message=\"{}\"",
                peer.peerId(),
                request.testType(),
                denial.reason().wire(),
                denial.retryAfterSec(),
                denial.message());
    }

    void granted(Session session, SessionDecision.Granted grant) {
        audit.record(AuditEvent.of(AuditEventType.SESSION_GRANTED)
                .withPeer(session.peerId)
                .withRemoteAddress(address(session.peer))
                .withTest(session.type.wire(), session.testId)
                .withParams(grantedParams(session))
                .withDecision("granted", null));
        meters.granted(session.type).increment();
        LOG.info(
                "event=session_granted test_id={} peer={} type={} port={} duration_sec={} expires_at={}",
                session.testId,
                session.peerId,
                session.type.wire(),
                session.port,
                session.durationSec,
                grant.expiresAt());
    }

    /**
     * A connection to the session's data port that the relay refused (on a relay event loop): counted
     * always, audited as {@code connection_denied} with its source up to {@link #MAX_REFUSALS_AUDITED}
     * times per session, so a flood of strangers cannot fill the audit log; the session's
     * {@code session_completed} event carries the full count.
     */
    void refused(Session session, DataPlaneRefusal refusal) {
        meters.refused(refusal.reason()).increment();
        if (session.dataPlaneRefusals.incrementAndGet() > MAX_REFUSALS_AUDITED) return;
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("port", refusal.port());
        audit.record(AuditEvent.of(AuditEventType.CONNECTION_DENIED)
                .withRemoteAddress(refusal.source() == null ? null : Addresses.format(refusal.source()))
                .withTest(session.type.wire(), session.testId)
                .withParams(params)
                .withDecision("denied", "dataplane_refused: " + refusal.reason().wire()));
    }

    void completed(Session session, long bytes, double seconds) {
        long refusals = session.dataPlaneRefusals.get();
        audit.record(AuditEvent.of(AuditEventType.SESSION_COMPLETED)
                .withPeer(session.peerId)
                .withRemoteAddress(address(session.peer))
                .withTest(session.type.wire(), session.testId)
                .withParams(refusals == 0 ? null : Map.of("dataplane_refused", refusals))
                .withTotals(bytes, seconds));
        meters.bytes(session.type).increment(bytes);
        LOG.info(
                "event=session_completed test_id={} peer={} type={} port={} bytes={} duration_sec={}",
                session.testId,
                session.peerId,
                session.type.wire(),
                session.port,
                bytes,
                seconds);
    }

    /** Every denial passes here, so the audit line and the denial counter never disagree. */
    private void audited(PeerContext peer, TestRequest request, String reason, String auditReason) {
        meters.denied(reason).increment();
        audit.record(AuditEvent.of(AuditEventType.SESSION_DENIED)
                .withPeer(peer.peerId().toString())
                .withRemoteAddress(address(peer))
                .withTest(request.testType(), null)
                .withParams(request.params())
                .withDecision("denied", auditReason != null ? auditReason : reason));
    }

    private static Map<String, Object> grantedParams(Session session) {
        Map<String, Object> params = new LinkedHashMap<>();
        TestRequest.Params p = session.request.params();
        params.put("duration_sec", session.durationSec);
        if (p.protocol() != null) params.put("protocol", p.protocol());
        if (p.streams() != null) params.put("streams", p.streams());
        if (p.reverse() != null) params.put("reverse", p.reverse());
        params.put("port", session.port);
        return params;
    }

    /** {@code ip:port} without brackets, as session audit records have always shown it. */
    private static String address(PeerContext peer) {
        return peer.remoteAddress() == null
                ? null
                : peer.remoteAddress().getAddress().getHostAddress() + ":"
                        + peer.remoteAddress().getPort();
    }
}
