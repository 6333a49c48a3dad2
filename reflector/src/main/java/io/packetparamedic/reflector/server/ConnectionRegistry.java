package io.packetparamedic.reflector.server;

import io.netty.channel.Channel;
import io.packetparamedic.api.identity.EndpointId;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The authenticated connections that are open now, so they can be counted and closed per peer. */
public final class ConnectionRegistry {

    private final Map<Channel, PeerConnection> connections = new ConcurrentHashMap<>();

    void add(Channel channel, PeerConnection connection) {
        connections.put(channel, connection);
        channel.closeFuture().addListener(f -> connections.remove(channel));
    }

    public int size() {
        return connections.size();
    }

    public List<PeerConnection> all() {
        return List.copyOf(connections.values());
    }

    /** Closes every connection of {@code peer}; returns how many there were. */
    public int closeAll(EndpointId peer) {
        int n = 0;
        for (PeerConnection c : connections.values()) {
            if (c.peerId().equals(peer)) {
                c.close();
                n++;
            }
        }
        return n;
    }
}
