package io.packetparamedic.reflector.engine;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.packetparamedic.reflector.metrics.DurationHistogram;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One echo or STAMP session socket on the native data path: a dedicated thread loops over receive
 * a batch ({@link NativeUdp#receive}, one recvmmsg) -> for each datagram the session's policy
 * ({@link EchoGate}) and reflection, in place in its slot -> send the answers ({@link
 * NativeUdp#send}, one sendmmsg). One JNI crossing each way per batch, no allocation per datagram,
 * no Netty. A thread per session is affordable because sessions are few (one at a time by default)
 * and short (a minute at most); it keeps the loop free of any other session's work.
 *
 * <p>Stopping: {@link #stop()} sets a flag and shuts the socket down, which wakes a thread blocked
 * in recvmmsg; the socket's receive timeout ({@value #RECEIVE_TIMEOUT_MILLIS} ms) bounds the wait
 * should the wake-up be lost. The thread itself closes the socket and frees the buffers on its way
 * out, then completes {@link #closed()}: the port is free once that completes.
 */
final class NativeEchoSession implements Runnable {

    static final int RECEIVE_TIMEOUT_MILLIS = 200;
    private static final int SOCKET_BUFFER = 1 << 20;
    private static final Logger LOG = LoggerFactory.getLogger(NativeEchoSession.class);

    private final int fd;
    private final int port;
    private final String kind;
    private final String testId;
    private final EchoGate gate;
    private final UdpEchoEngine.Reflection reflection;
    /** Where the C side records the residence time of the answers it makes, or null. */
    private final DurationHistogram.Recorder residence;

    private final Arrival arrival = Arrival.nativePath();
    private final int ownerFamily;
    private final byte[] owner;
    private final int slotCount;
    private final int slotSize;
    private final int busyPollMicros;
    private final ByteBuf slots;
    private final ByteBuffer slotsView;
    private final ByteBuf metaBuffer;
    private final ByteBuffer meta;
    private final Registry registry;
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private final Thread thread;
    /** Guards the descriptor against a shutdown after the thread closed it (and the number was reused). */
    private final Object lifecycle = new Object();

    private volatile boolean stopping;
    private boolean fdClosed;

    private NativeEchoSession(
            int fd,
            EngineRequest request,
            InetAddress owner,
            EchoGate gate,
            UdpEchoEngine.Reflection reflection,
            String kind,
            Batch batch,
            Registry registry) {
        this.fd = fd;
        this.port = NativeUdp.localPort(fd);
        this.kind = kind;
        this.testId = request.testId();
        this.gate = gate;
        this.reflection = reflection;
        // No owner (a request without a peer address) matches nobody, as on the Netty path.
        this.ownerFamily = owner == null ? 0 : owner instanceof Inet6Address ? 6 : 4;
        this.owner = owner == null ? new byte[0] : owner.getAddress();
        this.slotCount = batch.slots();
        this.slotSize = batch.slotSize();
        this.busyPollMicros = batch.busyPollMicros();
        // Explicitly freed direct memory (no cleaner waiting for a GC): sessions come and go.
        this.slots = ByteBufAllocator.DEFAULT.directBuffer(slotCount * slotSize, slotCount * slotSize);
        this.slotsView = slots.nioBuffer(0, slots.capacity());
        try {
            this.metaBuffer = ByteBufAllocator.DEFAULT.directBuffer(
                    slotCount * NativeUdp.META_SIZE, slotCount * NativeUdp.META_SIZE);
        } catch (OutOfMemoryError e) {
            slots.release();
            throw e;
        }
        this.meta = metaBuffer.nioBuffer(0, metaBuffer.capacity()).order(ByteOrder.nativeOrder());
        this.registry = registry;
        this.residence =
                reflection.residence() == null ? null : reflection.residence().newRecorder();
        this.thread = new Thread(this, kind + "-" + port);
        thread.setDaemon(true);
    }

    /** Binds the granted port (the owner's address family) and starts the session's thread. */
    static NativeEchoSession open(
            EngineRequest request,
            InetAddress owner,
            EchoGate gate,
            UdpEchoEngine.Reflection reflection,
            String kind,
            Batch batch,
            Registry registry)
            throws EngineException {
        int fd = NativeUdp.open(
                owner instanceof Inet6Address,
                request.port(),
                SOCKET_BUFFER,
                RECEIVE_TIMEOUT_MILLIS,
                reflection.readsArrival());
        if (fd < 0) {
            throw new EngineException(kind + " could not bind port " + request.port() + ": " + NativeUdp.describe(-fd));
        }
        NativeEchoSession session = null;
        try {
            session = new NativeEchoSession(fd, request, owner, gate, reflection, kind, batch, registry);
            registry.sessions.add(session);
            session.thread.start();
            return session;
        } catch (OutOfMemoryError | RuntimeException e) {
            // No direct memory for the buffers, or no thread to be had: give the port back and
            // refuse this session; the reflector goes on serving the others.
            if (session != null) {
                registry.sessions.remove(session);
                session.slots.release();
                session.metaBuffer.release();
                if (session.residence != null) session.residence.close();
            }
            NativeUdp.close(fd);
            throw new EngineException(kind + " could not start on port " + request.port() + ": " + e);
        }
    }

    int port() {
        return port;
    }

    /** Completes once the thread has closed the socket. */
    CompletableFuture<Void> closed() {
        return closed;
    }

    /** Asks the thread to close the socket and end; never blocks. Idempotent. */
    void stop() {
        stopping = true;
        synchronized (lifecycle) {
            if (!fdClosed) NativeUdp.shutdown(fd);
        }
    }

    @Override
    public void run() {
        try {
            while (!stopping) {
                int received = NativeUdp.receive(fd, slotsView, slotSize, meta, slotCount, busyPollMicros);
                if (received < 0) {
                    if (!stopping) {
                        LOG.warn(
                                "event={}_receive_failed test_id={} port={} error=\"{}\"",
                                kind,
                                testId,
                                port,
                                NativeUdp.describe(-received));
                    }
                    break;
                }
                if (received > 0 && !stopping) answer(received);
            }
        } catch (RuntimeException e) {
            LOG.warn("event={}_loop_failed test_id={} port={} error=\"{}\"", kind, testId, port, e.toString());
        } finally {
            if (residence != null) residence.close();
            gate.publish();
            synchronized (lifecycle) {
                fdClosed = true;
                NativeUdp.close(fd);
            }
            slots.release();
            metaBuffer.release();
            registry.sessions.remove(this);
            closed.complete(null);
        }
    }

    /** Applies the policy and the reflection to a received batch, then sends the answers. */
    private void answer(int received) {
        long batchNanos = System.nanoTime();
        int answers = 0;
        int stamped = 0;
        long answerBytes = 0;
        for (int i = 0; i < received; i++) {
            int record = i * NativeUdp.META_SIZE;
            int length = meta.getInt(record + NativeUdp.LENGTH);
            boolean fromOwner = !gate.checksSource() || fromOwner(record);
            if (!gate.admit(fromOwner, batchNanos)) continue;
            if (length == 0) continue; // as on the Netty path: an empty datagram gets no answer
            if ((meta.getInt(record + NativeUdp.FLAGS) & NativeUdp.TRUNCATED) != 0) {
                gate.unanswerable();
                continue;
            }
            arrival.set(
                    meta.getLong(record + NativeUdp.RX_NANOS),
                    meta.getInt(record + NativeUdp.TTL),
                    meta.getInt(record + NativeUdp.TOS));
            int answer = reflection.reflect(slots, i * slotSize, length, arrival);
            if (answer < 0 || answer > length) { // amplification factor 1 at most, and never past the slot
                gate.unanswerable();
                continue;
            }
            meta.putInt(record + NativeUdp.REPLY_LENGTH, answer);
            meta.putInt(record + NativeUdp.REPLY_TOS, arrival.replyTos());
            if (arrival.stampAtSend()) {
                meta.putInt(record + NativeUdp.REFLECT, NativeUdp.REFLECT_STAMP);
                meta.putInt(record + NativeUdp.STAMP_SEQUENCE, arrival.stampSequence());
                stamped++;
            }
            answers++;
            answerBytes += answer;
        }
        // Counted and published before the answers leave, as on the Netty path: whoever has an
        // answer in hand sees it counted. What the socket then refuses is moved to back-pressure.
        gate.answered(answers, answerBytes);
        gate.publish();
        if (answers == 0) return;
        long sent = NativeUdp.send(
                fd, slotsView, slotSize, meta, received, stamped > 0 && residence != null ? residence.buffer() : null);
        long sentPackets = sent < 0 ? 0 : sent & 0xFFFF;
        long sentBytes = sent < 0 ? 0 : sent >>> 16;
        if (sentPackets < answers) {
            gate.unsent(answers - sentPackets, answerBytes - sentBytes);
            gate.publish();
        }
    }

    private boolean fromOwner(int record) {
        if (meta.getInt(record + NativeUdp.FAMILY) != ownerFamily) return false;
        int address = record + NativeUdp.ADDRESS;
        for (int k = 0; k < owner.length; k++) {
            if (meta.get(address + k) != owner[k]) return false;
        }
        return true;
    }

    /**
     * How a session reads: {@code slots} datagrams of up to {@code slotSize} octets per recvmmsg,
     * after polling for up to {@code busyPollMicros} before sleeping.
     */
    record Batch(int slots, int slotSize, int busyPollMicros) {}

    /** The live native sessions of one engine, so that closing the engine ends them all. */
    static final class Registry {
        private final Set<NativeEchoSession> sessions = ConcurrentHashMap.newKeySet();

        /** Stops every session and waits (bounded) for their threads to close their sockets. */
        void stopAll() {
            for (NativeEchoSession s : sessions) s.stop();
            for (NativeEchoSession s : sessions) {
                try {
                    s.closed.get(2L * RECEIVE_TIMEOUT_MILLIS + 1000, TimeUnit.MILLISECONDS);
                } catch (Exception e) {
                    LOG.warn("event={}_stop_slow port={} error=\"{}\"", s.kind, s.port, e.toString());
                }
            }
        }
    }
}
