package io.packetparamedic.reflector.rpc;

import io.packetparamedic.api.identity.EndpointId;
import io.packetparamedic.reflector.auth.AccessLevel;
import io.packetparamedic.reflector.tls.KeyingMaterialExporter;
import java.net.InetSocketAddress;

/**
 * The control connection a request arrived on, as answering it needs it: whose it is, from where,
 * and what it may do. The server's connection implements it, so this layer never reaches up into
 * the Netty pipeline that carries the bytes.
 */
public interface ConnectedPeer {

    EndpointId peerId();

    InetSocketAddress remoteAddress();

    /** {@code ip:port}, as audit and log lines show it. */
    String remoteText();

    AccessLevel access();

    /** The TLS 1.3 exporter of this connection (authenticated STAMP keys), possibly unavailable. */
    KeyingMaterialExporter keyingMaterial();

    /** A successful pairing upgrades the live connection (spec section 6). */
    void grantFullAccess();
}
