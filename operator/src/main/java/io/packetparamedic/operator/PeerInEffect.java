package io.packetparamedic.operator;

import io.packetparamedic.api.crd.AuthorizedPeer;
import io.packetparamedic.api.identity.EndpointId;

/** An AuthorizedPeer that belongs in a reflector's config, with the Endpoint ID parsed when it was selected. */
public record PeerInEffect(AuthorizedPeer peer, EndpointId endpointId) {

    public String name() {
        return peer.getMetadata().getName();
    }
}
