package io.packetparamedic.reflector.audit;

/** The event types of spec section 8. */
public enum AuditEventType {
    CONNECTION_ACCEPTED,
    CONNECTION_DENIED,
    SESSION_GRANTED,
    SESSION_DENIED,
    SESSION_COMPLETED,
    PAIRING_ENABLED,
    PEER_PAIRED,
    PEER_REMOVED,
    IDENTITY_ROTATED;

    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
