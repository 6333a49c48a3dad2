package io.packetparamedic.reflector.governance;

import io.packetparamedic.reflector.wire.DenyReason;

/**
 * The outcome of a governance check: allowed, or denied with the wire reason, a message for the
 * peer, the seconds until the limiting condition clears (null when unknown) and the reason written
 * to the audit log.
 */
public record Verdict(boolean allowed, DenyReason reason, String message, Long retryAfterSec, String auditReason) {

    public static final Verdict ALLOWED = new Verdict(true, null, null, null, null);

    public static Verdict deny(DenyReason reason, String message, Long retryAfterSec, String auditReason) {
        return new Verdict(false, reason, message, retryAfterSec, auditReason);
    }
}
