package io.packetparamedic.reflector.engine;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;

/**
 * Hands out data ports from the configured range: a port is given only when no other session
 * holds it and it can be bound right now for both TCP and UDP on the wildcard address (the relay
 * serves TCP, the UDP echo engine needs UDP).
 *
 * <p>Ports are drawn at random (a CSPRNG), so that whoever sees one grant cannot tell which port
 * the next one gets and sit on it first. The last few released ports are given only when no other
 * port is free, longest released first, so a just-released port is not immediately reused while
 * its old peer may still send to it.
 */
public final class PortAllocator {

    private static final int RECENT = 8;

    private final Set<Integer> held = new HashSet<>();
    private final Deque<Integer> recent = new ArrayDeque<>();
    private final Random random;

    public PortAllocator() {
        this(new SecureRandom());
    }

    PortAllocator(Random random) {
        this.random = random;
    }

    /** A free port of {@code [start, end]}, now held until {@link #release}; empty when none is free. */
    public synchronized OptionalInt acquire(int start, int end) {
        if (start <= 0 || end < start || end > 65535) return OptionalInt.empty();
        List<Integer> fresh = new ArrayList<>(end - start + 1);
        for (int port = start; port <= end; port++) {
            if (!held.contains(port) && !recent.contains(port)) fresh.add(port);
        }
        Collections.shuffle(fresh, random);
        // Then the recently released ones, longest released first.
        for (int port : recent) {
            if (port >= start && port <= end && !held.contains(port)) fresh.add(port);
        }
        for (int port : fresh) {
            if (bindable(port)) {
                held.add(port);
                return OptionalInt.of(port);
            }
        }
        return OptionalInt.empty();
    }

    public synchronized void release(int port) {
        if (!held.remove(port)) return;
        recent.remove(port);
        recent.addLast(port);
        if (recent.size() > RECENT) recent.removeFirst();
    }

    public synchronized boolean isHeld(int port) {
        return held.contains(port);
    }

    static boolean bindable(int port) {
        try (ServerSocket tcp = new ServerSocket()) {
            tcp.setReuseAddress(true); // as the relay does: a TIME_WAIT leftover does not block a new listener
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
