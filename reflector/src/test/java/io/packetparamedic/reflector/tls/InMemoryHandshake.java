package io.packetparamedic.reflector.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import java.nio.ByteBuffer;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;

/**
 * A full TLS handshake between a client and a server engine in memory, on the calling thread: no
 * sockets, no event loop, so what it costs is the TLS work alone. Used by {@code SessionTicketTest}
 * and by the engine benchmark of bench/footprint.
 */
public final class InMemoryHandshake {

    private final ByteBuffer toServer = ByteBuffer.allocate(1 << 16);
    private final ByteBuffer toClient = ByteBuffer.allocate(1 << 16);
    private final ByteBuffer sink = ByteBuffer.allocate(1 << 16);
    private long serverNanos;

    /**
     * Runs one handshake with fresh engines of the two contexts; returns the bytes the server
     * sent. {@link #serverCpuNanos()} accumulates the thread CPU spent in the server engine.
     */
    public int run(SslContext server, SslContext client) throws SSLException {
        SSLEngine s = server.newEngine(ByteBufAllocator.DEFAULT);
        // A peer host and port: the JDK client looks its session cache up by them, so a shared
        // client context resumes when the server issued a ticket.
        SSLEngine c = client.newEngine(ByteBufAllocator.DEFAULT, TlsProfile.SNI_HOST, 1);
        toServer.clear();
        toClient.clear();
        int serverSent = 0;
        c.beginHandshake();
        s.beginHandshake();
        for (int i = 0; i < 50 && !(done(c) && done(s)); i++) {
            step(c, toServer, toClient);
            long t0 = Cpu.threadNanos();
            serverSent += step(s, toClient, toServer);
            serverNanos += Cpu.threadNanos() - t0;
        }
        if (!(done(c) && done(s))) throw new SSLException("handshake did not finish");
        return serverSent;
    }

    public long serverCpuNanos() {
        return serverNanos;
    }

    private static boolean done(SSLEngine e) {
        HandshakeStatus h = e.getHandshakeStatus();
        return h == HandshakeStatus.NOT_HANDSHAKING || h == HandshakeStatus.FINISHED;
    }

    /** One round for {@code e}: consume what the peer sent, run delegated tasks, send what is due; bytes sent. */
    private int step(SSLEngine e, ByteBuffer out, ByteBuffer in) throws SSLException {
        in.flip();
        while (in.hasRemaining() && e.getHandshakeStatus() == HandshakeStatus.NEED_UNWRAP) {
            sink.clear();
            if (e.unwrap(in, sink).bytesConsumed() == 0) break;
            runTasks(e);
        }
        in.compact();
        runTasks(e);
        int sent = 0;
        while (e.getHandshakeStatus() == HandshakeStatus.NEED_WRAP) {
            sent += e.wrap(ByteBuffer.allocate(0), out).bytesProduced();
            runTasks(e);
        }
        return sent;
    }

    private static void runTasks(SSLEngine e) {
        Runnable task;
        while ((task = e.getDelegatedTask()) != null) task.run();
    }

    /** The calling thread's CPU time. */
    private static final class Cpu {
        private static final java.lang.management.ThreadMXBean THREADS =
                java.lang.management.ManagementFactory.getThreadMXBean();

        static long threadNanos() {
            return THREADS.getCurrentThreadCpuTime();
        }
    }
}
