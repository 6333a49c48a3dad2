package io.packetparamedic.reflector.wire;

/**
 * The {@code reason} values of a {@code session_deny} (spec section 5).
 *
 * <p>The reflector sends only the first five: the appliance client deployed in the field decodes
 * {@code reason} into an enum of exactly those, so a {@code resource_exhausted} deny would fail to
 * decode there and the user would never see its message. Conditions of that kind (no free data
 * port, an overloaded or failing engine) are sent as {@code busy}, with the cause in the message
 * and the audit log. {@link #RESOURCE_EXHAUSTED} stays for decoding what other servers send.
 */
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
