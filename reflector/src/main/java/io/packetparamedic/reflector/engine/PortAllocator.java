package io.packetparamedic.reflector.engine;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Hands out data ports from the configured range: a port is given only when no other session
 * holds it and it can be bound right now for both TCP and UDP on the wildcard address (iperf3
 * serves both, and the UDP echo engine needs UDP). Ports are tried round-robin so a just-released
 * port is not immediately reused while its old peer may still send to it.
 */
public final class PortAllocator {

    private final Set<Integer> held = new HashSet<>();
    private int next;

    /** A free port of {@code [start, end]}, now held until {@link #release}; empty when none is free. */
    public synchronized OptionalInt acquire(int start, int end) {
        if (start <= 0 || end < start || end > 65535) return OptionalInt.empty();
        int size = end - start + 1;
        int offset = Math.floorMod(next - start, size);
        for (int i = 0; i < size; i++) {
            int port = start + (offset + i) % size;
            if (held.contains(port)) continue;
            if (bindable(port)) {
                held.add(port);
                next = port + 1;
                return OptionalInt.of(port);
            }
        }
        return OptionalInt.empty();
    }

    public synchronized void release(int port) {
        held.remove(port);
    }

    public synchronized boolean isHeld(int port) {
        return held.contains(port);
    }

    static boolean bindable(int port) {
        try (ServerSocket tcp = new ServerSocket()) {
            tcp.setReuseAddress(true); // as iperf3 does: a TIME_WAIT leftover does not block a new listener
            tcp.bind(new InetSocketAddress(port));
            try (DatagramSocket udp = new DatagramSocket(null)) {
                udp.bind(new InetSocketAddress(port));
                return true;
            }
        } catch (IOException e) {
            return false;
        }
    }
}
