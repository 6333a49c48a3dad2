package io.packetparamedic.reflector.admin;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What the admin channel may do to the live server. {@code serve} implements it on the running
 * {@code Reflector}. A rejected request throws {@link IllegalArgumentException} or
 * {@link IllegalStateException} with a message for the operator.
 */
public interface AdminOperations {

    /** Opens a pairing window for {@code ttl}, with the given code or a generated one. */
    AdminProtocol.PairingOpened openPairingWindow(Duration ttl, Optional<String> code);

    AdminProtocol.LiveFigures liveStatus();

    /** Closes the pairing window opened through this channel; empty when none was open. */
    Optional<AdminProtocol.OpenWindow> closePairingWindow();

    List<AdminProtocol.Peer> peers();

    /**
     * Removes a paired peer, named by {@code nameOrId}; its connections close at once. A peer the
     * configuration file lists is refused with a message saying to edit the file.
     */
    AdminProtocol.RemovedPeer removePeer(String nameOrId) throws java.io.IOException;
}
