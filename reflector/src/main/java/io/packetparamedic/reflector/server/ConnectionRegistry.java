package io.packetparamedic.reflector.server;

import io.netty.channel.Channel;
import io.packetparamedic.api.identity.EndpointId;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** The authenticated connections that are open now, so they can be counted and closed per peer. */
public final class ConnectionRegistry {

    private final Map<Channel, PeerConnection> connections = new ConcurrentHashMap<>();
    private final List<Consumer<PeerConnection>> addedListeners = new CopyOnWriteArrayList<>();

    void add(Channel channel, PeerConnection connection) {
        connections.put(channel, connection);
        channel.closeFuture().addListener(f -> connections.remove(channel));
        for (Consumer<PeerConnection> l : addedListeners) l.accept(connection);
    }

    /**
     * Told about every authenticated connection as it is registered (status reporting's "last
     * seen"). Called on the event loop: the listener must only record and return.
     */
    public void onAdded(Consumer<PeerConnection> listener) {
        addedListeners.add(listener);
    }

    /** The connection on {@code channel} once its peer has been accepted, else null. */
    PeerConnection get(Channel channel) {
        return connections.get(channel);
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
