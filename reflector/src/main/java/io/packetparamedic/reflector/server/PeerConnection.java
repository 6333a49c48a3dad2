package io.packetparamedic.reflector.server;

import io.netty.channel.Channel;
import io.packetparamedic.api.identity.EndpointId;
import io.packetparamedic.reflector.auth.AccessLevel;
import io.packetparamedic.reflector.session.PeerContext;
import java.net.InetSocketAddress;
import java.time.Instant;

/** One authenticated control connection: whose it is, from where, and what it may do right now. */
public final class PeerConnection {

    private final Channel channel;
    private final PeerContext peer;
    private final Instant connectedAt;
    private volatile AccessLevel access;

    PeerConnection(Channel channel, EndpointId peerId, InetSocketAddress remote, AccessLevel access, Instant connectedAt) {
        this.channel = channel;
        this.peer = new PeerContext(peerId, remote);
        this.access = access;
        this.connectedAt = connectedAt;
    }

    public EndpointId peerId() {
        return peer.peerId();
    }

    public InetSocketAddress remoteAddress() {
        return peer.remoteAddress();
    }

    public PeerContext context() {
        return peer;
    }

    public AccessLevel access() {
        return access;
    }

    public Instant connectedAt() {
        return connectedAt;
    }

    /** A successful pairing upgrades the live connection (spec section 6). */
    public void grantFullAccess() {
        access = AccessLevel.FULL;
    }

    Channel channel() {
        return channel;
    }

    public void close() {
        channel.close();
    }

    /** {@code ip:port}, as audit lines show it. */
    public String remoteText() {
        return Addresses.format(peer.remoteAddress());
    }
}
