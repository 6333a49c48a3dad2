package io.packetparamedic.reflector.wire;

/** The {@code reason} values of a {@code session_deny} (spec section 5). */
public enum DenyReason {
    UNAUTHORIZED("unauthorized"),
    RATE_LIMITED("rate_limited"),
    BUSY("busy"),
    INVALID_PARAMS("invalid_params"),
    QUOTA_EXCEEDED("quota_exceeded"),
    RESOURCE_EXHAUSTED("resource_exhausted");

    private final String wire;

    DenyReason(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }
}
