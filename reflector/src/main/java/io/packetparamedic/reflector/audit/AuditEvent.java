package io.packetparamedic.reflector.audit;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One audit line (spec section 8). Absent fields are omitted. {@code endpoint_id} and
 * {@code timestamp} are filled in by {@link AuditLog}; use the factory methods and the
 * {@code with*} methods to build events.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AuditEvent(
        String timestamp,
        String eventType,
        String endpointId,
        String peerId,
        String remoteAddress,
        String testType,
        String testId,
        Object params,
        String decision,
        String reason,
        Long bytesTransferred,
        Double durationSec,
        String alpn) {

    public static AuditEvent of(AuditEventType type) {
        return new AuditEvent(null, type.wire(), null, null, null, null, null, null, null, null, null, null, null);
    }

    public AuditEvent withPeer(String peerId) {
        return new AuditEvent(
                timestamp,
                eventType,
                endpointId,
                peerId,
                remoteAddress,
                testType,
                testId,
                params,
                decision,
                reason,
                bytesTransferred,
                durationSec,
                alpn);
    }

    public AuditEvent withRemoteAddress(String address) {
        return new AuditEvent(
                timestamp,
                eventType,
                endpointId,
                peerId,
                address,
                testType,
                testId,
                params,
                decision,
                reason,
                bytesTransferred,
                durationSec,
                alpn);
    }

    public AuditEvent withTest(String testType, String testId) {
        return new AuditEvent(
                timestamp,
                eventType,
                endpointId,
                peerId,
                remoteAddress,
                testType,
                testId,
                params,
                decision,
                reason,
                bytesTransferred,
                durationSec,
                alpn);
    }

    public AuditEvent withParams(Object params) {
        return new AuditEvent(
                timestamp,
                eventType,
                endpointId,
                peerId,
                remoteAddress,
                testType,
                testId,
                params,
                decision,
                reason,
                bytesTransferred,
                durationSec,
                alpn);
    }

    public AuditEvent withDecision(String decision, String reason) {
        return new AuditEvent(
                timestamp,
                eventType,
                endpointId,
                peerId,
                remoteAddress,
                testType,
                testId,
                params,
                decision,
                reason,
                bytesTransferred,
                durationSec,
                alpn);
    }

    public AuditEvent withTotals(long bytesTransferred, double durationSec) {
        return new AuditEvent(
                timestamp,
                eventType,
                endpointId,
                peerId,
                remoteAddress,
                testType,
                testId,
                params,
                decision,
                reason,
                bytesTransferred,
                durationSec,
                alpn);
    }

    /** The ALPN a {@code connection_accepted} used: the negotiated protocol, or {@code none}. */
    public AuditEvent withAlpn(String alpn) {
        return new AuditEvent(
                timestamp,
                eventType,
                endpointId,
                peerId,
                remoteAddress,
                testType,
                testId,
                params,
                decision,
                reason,
                bytesTransferred,
                durationSec,
                alpn);
    }

    AuditEvent stamped(String timestamp, String endpointId) {
        return new AuditEvent(
                timestamp,
                eventType,
                endpointId,
                peerId,
                remoteAddress,
                testType,
                testId,
                params,
                decision,
                reason,
                bytesTransferred,
                durationSec,
                alpn);
    }
}
