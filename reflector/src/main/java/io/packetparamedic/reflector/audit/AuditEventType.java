package io.packetparamedic.reflector.audit;

/** The event types of spec section 8, and ours. */
public enum AuditEventType {
    CONNECTION_ACCEPTED,
    CONNECTION_DENIED,
    SESSION_GRANTED,
    SESSION_DENIED,
    SESSION_COMPLETED,
    PAIRING_ENABLED,
    PEER_PAIRED,
    PEER_REMOVED,
    IDENTITY_ROTATED,
    /** (ours) a pairing code that was tested and did not match. */
    PAIRING_FAILED,
    /** (ours) a pairing window closed after too many failed attempts. */
    PAIRING_LOCKED,
    /** (ours) a source address blocked from pairing for a while after repeated wrong codes. */
    PAIRING_BLOCKED,
    /** (ours) the operator closed the pairing window before its expiry ({@code reflector pair --close}). */
    PAIRING_CLOSED;

    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
