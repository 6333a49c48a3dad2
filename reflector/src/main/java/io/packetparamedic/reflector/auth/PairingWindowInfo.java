package io.packetparamedic.reflector.auth;

import java.time.Instant;

/** A pairing window just opened: the code to hand to the appliance operator, its expiry and the window's name. */
public record PairingWindowInfo(String code, Instant expiresAt, String window) {
    @Override
    public String toString() {
        // The code is a secret: keep it out of accidental log lines.
        return "PairingWindowInfo[window=" + window + ", expiresAt=" + expiresAt + "]";
    }
}
