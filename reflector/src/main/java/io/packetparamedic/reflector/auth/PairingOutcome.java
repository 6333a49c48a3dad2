package io.packetparamedic.reflector.auth;

import java.util.Optional;

/** The result of one {@code pair_request}: success with the window consumed, or failure with the message for the peer. */
public record PairingOutcome(boolean success, String message, Optional<String> window) {

    public static final String FAILED = "pairing failed: invalid or expired pairing code";

    static PairingOutcome paired(String window) {
        return new PairingOutcome(true, "paired successfully", Optional.of(window));
    }

    static PairingOutcome alreadyAuthorized() {
        return new PairingOutcome(true, "already authorized", Optional.empty());
    }

    static PairingOutcome failed(String message) {
        return new PairingOutcome(false, message, Optional.empty());
    }
}
