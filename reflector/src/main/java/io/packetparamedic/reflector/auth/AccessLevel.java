package io.packetparamedic.reflector.auth;

/** What an authenticated peer may do on its connection (spec section 6). */
public enum AccessLevel {
    /** An authorized peer: every client message. */
    FULL,
    /** An unknown peer while a pairing window is open: only {@code hello} and {@code pair_request}. */
    PAIRING_ONLY,
    /** Neither: the connection is closed. */
    DENIED;

    /** The audit/metrics word for this decision. */
    public String decision() {
        return switch (this) {
            case FULL -> "authorized";
            case PAIRING_ONLY -> "pairing_only";
            case DENIED -> "unauthorized";
        };
    }
}
