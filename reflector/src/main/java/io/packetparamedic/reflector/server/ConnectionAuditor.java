package io.packetparamedic.reflector.server;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import io.packetparamedic.api.identity.EndpointId;
import io.packetparamedic.reflector.audit.AuditEvent;
import io.packetparamedic.reflector.audit.AuditEventType;
import io.packetparamedic.reflector.audit.AuditLog;
import io.packetparamedic.reflector.metrics.ReflectorMetrics;
import io.packetparamedic.reflector.wire.Addresses;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records the one outcome of each connection: {@code connection_accepted} or
 * {@code connection_denied}, in the audit log, the metrics and the log. A channel attribute makes
 * sure a connection is never recorded twice (e.g. denied, then its handshake "fails" on close).
 */
final class ConnectionAuditor {

    private static final Logger LOG = LoggerFactory.getLogger("io.packetparamedic.reflector.connections");
    private static final AttributeKey<Boolean> RECORDED = AttributeKey.valueOf("pp.connection.recorded");

    private final AuditLog audit;
    private final ReflectorMetrics metrics;

    ConnectionAuditor(AuditLog audit, ReflectorMetrics metrics) {
        this.audit = audit;
        this.metrics = metrics;
    }

    boolean recorded(Channel channel) {
        return Boolean.TRUE.equals(channel.attr(RECORDED).get());
    }

    /**
     * Marks the connection as recorded without a line: a refusal that a flood may repeat thousands
     * of times is counted and logged by its caller, rate-limited, and must not be audited again as
     * a failed handshake when the socket closes.
     */
    void counted(Channel channel) {
        channel.attr(RECORDED).setIfAbsent(Boolean.TRUE);
    }

    /** @param alpn the protocol the connection used: the negotiated one, or {@code none} */
    void accepted(Channel channel, EndpointId peer, String decision, String alpn) {
        if (channel.attr(RECORDED).setIfAbsent(Boolean.TRUE) != null) return;
        String remote = Addresses.format(channel.remoteAddress());
        audit.record(AuditEvent.of(AuditEventType.CONNECTION_ACCEPTED)
                .withPeer(peer.toString())
                .withRemoteAddress(remote)
                .withDecision(decision, null)
                .withAlpn(alpn));
        metrics.connectionAccepted(alpn);
        LOG.info("event=connection_accepted peer={} remote={} access={} alpn={}", peer, remote, decision, alpn);
    }

    /**
     * @param peer the peer's ID when the handshake got that far, else null
     * @param reason the audit reason (human-readable)
     * @param category a short fixed word for the metrics tag
     */
    void denied(Channel channel, EndpointId peer, String reason, String category) {
        if (channel.attr(RECORDED).setIfAbsent(Boolean.TRUE) != null) return;
        String remote = Addresses.format(channel.remoteAddress());
        audit.record(AuditEvent.of(AuditEventType.CONNECTION_DENIED)
                .withPeer(peer == null ? null : peer.toString())
                .withRemoteAddress(remote)
                .withDecision("denied", reason));
        metrics.connectionDenied(category);
        LOG.info("event=connection_denied peer={} remote={} reason=\"{}\"", peer == null ? "-" : peer, remote, reason);
    }
}
