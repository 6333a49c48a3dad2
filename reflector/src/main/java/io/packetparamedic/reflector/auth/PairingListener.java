package io.packetparamedic.reflector.auth;

import io.packetparamedic.api.identity.EndpointId;

/**
 * Told about every successful pairing, after the peer is persisted (for example so that the
 * in-cluster agent can mark the PairingWindow consumed). Called on a worker thread, never on the
 * event loop; must not block for long.
 */
@FunctionalInterface
public interface PairingListener {
    /** {@code windowName} is the window's name: {@code local} for codes opened through the admin channel. */
    void onPaired(EndpointId peer, String windowName);
}
