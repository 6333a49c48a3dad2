package io.packetparamedic.reflector.auth;

import io.packetparamedic.api.identity.EndpointId;

/**
 * Takes a pairing window for one peer where other reflectors can see it, before this one accepts
 * the code: the reflectors of a fleet share their codes, and only one of them may accept each.
 * Called off the event loop, without {@link Authorizer}'s lock held; may block on the network.
 */
@FunctionalInterface
public interface PairingClaim {

    enum Result {
        /** The window is this peer's now (or already was): accept the code. */
        WON,
        /** Another peer has it, or the window is gone: the code is spent. */
        SPENT,
        /** Nobody could be asked (API unreachable, refused): accept nothing now, the code stays open. */
        UNAVAILABLE
    }

    /** {@code window} as the configuration names it ({@code namespace/name} for a PairingWindow). */
    Result claim(EndpointId peer, String window);

    /** A standalone reflector has no one to share its codes with: its own lock decides. */
    PairingClaim LOCAL = (peer, window) -> Result.WON;
}
