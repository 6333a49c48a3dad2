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
    PAIRING_LOCKED;

    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
