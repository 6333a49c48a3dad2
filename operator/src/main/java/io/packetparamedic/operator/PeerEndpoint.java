package io.packetparamedic.operator;

import io.packetparamedic.api.crd.AuthorizedPeer;
import io.packetparamedic.api.identity.EndpointId;
import java.util.Optional;

/**
 * An AuthorizedPeer's spec.endpointId parsed once, where the operator first reads it: the
 * canonical Endpoint ID, or why the text is not one (for the Valid condition and its Event).
 * Everything downstream takes the parsed value instead of parsing the text again.
 */
public record PeerEndpoint(Optional<EndpointId> id, Optional<String> problem) {

    public static PeerEndpoint of(AuthorizedPeer peer) {
        if (peer.getSpec() == null || peer.getSpec().endpointId == null) {
            return new PeerEndpoint(Optional.empty(), Optional.of("spec.endpointId is missing"));
        }
        try {
            return new PeerEndpoint(Optional.of(EndpointId.parse(peer.getSpec().endpointId)), Optional.empty());
        } catch (IllegalArgumentException e) {
            return new PeerEndpoint(Optional.empty(), Optional.of(e.getMessage()));
        }
    }
}
