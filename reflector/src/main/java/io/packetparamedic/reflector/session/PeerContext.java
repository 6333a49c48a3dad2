package io.packetparamedic.reflector.session;

import io.packetparamedic.api.identity.EndpointId;
import java.net.InetSocketAddress;

/**
 * Who is asking: the peer's Endpoint ID (derived from its certificate key) and the remote address
 * of its control connection (the UDP echo engine answers only that IP).
 */
public record PeerContext(EndpointId peerId, InetSocketAddress remoteAddress) {}
