package io.packetparamedic.reflector.session;

import io.packetparamedic.api.identity.EndpointId;
import io.packetparamedic.reflector.tls.KeyingMaterialExporter;
import java.net.InetSocketAddress;

/**
 * Who is asking: the peer's Endpoint ID (derived from its certificate key), the remote address
 * of its control connection (the UDP echo and STAMP engines answer only that IP) and that
 * connection's TLS exporter, from which an authenticated STAMP session's key is derived.
 */
public record PeerContext(EndpointId peerId, InetSocketAddress remoteAddress, KeyingMaterialExporter keyingMaterial) {

    /** A peer whose connection has no TLS exporter (tests, and connections without one). */
    public PeerContext(EndpointId peerId, InetSocketAddress remoteAddress) {
        this(peerId, remoteAddress, KeyingMaterialExporter.NONE);
    }
}
