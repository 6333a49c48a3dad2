package io.packetparamedic.reflector.server;

import io.netty.channel.Channel;
import io.packetparamedic.api.identity.EndpointId;
import io.packetparamedic.reflector.auth.AccessLevel;
import io.packetparamedic.reflector.rpc.ConnectedPeer;
import io.packetparamedic.reflector.tls.KeyingMaterialExporter;
import io.packetparamedic.reflector.wire.Addresses;
import java.net.InetSocketAddress;
import java.time.Instant;

/** One authenticated control connection: whose it is, from where, and what it may do right now. */
public final class PeerConnection implements ConnectedPeer {

    private final Channel channel;
    private final EndpointId peerId;
    private final InetSocketAddress remote;
    private final Instant connectedAt;
    private final KeyingMaterialExporter keyingMaterial;
    private volatile AccessLevel access;

    PeerConnection(
            Channel channel,
            EndpointId peerId,
            InetSocketAddress remote,
            AccessLevel access,
            Instant connectedAt,
            KeyingMaterialExporter keyingMaterial) {
        this.channel = channel;
        this.peerId = peerId;
        this.remote = remote;
        this.access = access;
        this.connectedAt = connectedAt;
        this.keyingMaterial = keyingMaterial;
    }

    @Override
    public EndpointId peerId() {
        return peerId;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return remote;
    }

    @Override
    public AccessLevel access() {
        return access;
    }

    public Instant connectedAt() {
        return connectedAt;
    }

    @Override
    public KeyingMaterialExporter keyingMaterial() {
        return keyingMaterial;
    }

    @Override
    public void grantFullAccess() {
        access = AccessLevel.FULL;
    }

    Channel channel() {
        return channel;
    }

    public void close() {
        channel.close();
    }

    @Override
    public String remoteText() {
        return Addresses.format(remote);
    }
}
