package io.packetparamedic.reflector.engine;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.packetparamedic.reflector.metrics.DurationHistogram;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The UDP echo engine: for each session a datagram socket on the granted port that sends every
 * datagram back, unchanged, to its sender. Two transports, the same policy ({@link EchoGate}):
 *
 * <ul>
 *   <li>native ({@link NativeEchoSession}): one thread per session socket in a loop of batched
 *       recvmmsg / sendmmsg through {@code libppdata}, which also reports each datagram's kernel
 *       receive timestamp, TTL and TOS; used whenever the library loads, unless {@code
 *       network.data_path = "netty"};
 *   <li>Netty: the epoll transport (NIO only where epoll is unavailable) in the engine's own small
 *       event loop group, apart from the control plane.
 * </ul>
 *
 * <p>Only datagrams from the owning control connection's IP are answered unless the source check
 * is switched off; at most {@code packetRate} a second are answered (token bucket, a tenth of a
 * second of burst), the rest dropped silently. Memory stays bounded under a flood: the kernel's
 * receive buffer holds what we have not read, each read loop takes a fixed number of datagrams,
 * and when the outbound buffer passes its high-water mark further echoes are dropped rather than
 * queued.
 */
public final class UdpEchoEngine implements DataEngine, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(UdpEchoEngine.class);
    /**
     * Largest UDP payload: 65,535 bytes of IPv6 payload less the UDP header (IPv4 allows 20 bytes
     * less). A receive slot this large never truncates a datagram.
     */
    static final int MAX_DATAGRAM = 65_527;
    /**
     * Datagrams one recvmmsg call can return; the receive buffer is this many maximal slots (4 MiB
     * per session). As many as the C baseline's batch: a batch that fills every slot makes the read
     * loop ask again, so the slots should outnumber what usually waits in the socket.
     */
    static final int RECV_SLOTS = 64;
    /** Datagrams taken per readiness before other sockets on the event loop get their turn. */
    private static final int MAX_MESSAGES_PER_READ = 64;

    private static final int SOCKET_BUFFER = 1 << 20;
    private static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(256 * 1024, 1024 * 1024);

    /** Datagrams one native receive call takes, as many as one recvmmsg batch of the C baseline. */
    static final int NATIVE_SLOTS = NativeUdp.MAX_BATCH;

    private final EventLoopGroup group;
    private final boolean nativeTransport;
    private final NativeEchoSession.Registry nativeSessions = new NativeEchoSession.Registry();
    private final Supplier<Settings> settings;
    private final String kind;
    private final Function<EngineRequest, Reflection> reflections;

    /**
     * Echo settings read when a session starts.
     *
     * @param nativePath use the native data path when its library is available (false: Netty)
     * @param busyPollMicros on the native path, how long a session's thread polls before it sleeps
     *     ({@code network.busy_poll_us})
     */
    public record Settings(long maxPacketRate, boolean sourceCheck, boolean nativePath, int busyPollMicros) {
        /** {@code network.busy_poll_us}'s default. */
        public static final int DEFAULT_BUSY_POLL_MICROS = 50;

        public Settings(long maxPacketRate, boolean sourceCheck, boolean nativePath) {
            this(maxPacketRate, sourceCheck, nativePath, DEFAULT_BUSY_POLL_MICROS);
        }

        public Settings(long maxPacketRate, boolean sourceCheck) {
            this(maxPacketRate, sourceCheck, true);
        }
    }

    /**
     * What a session's socket sends back for one admitted datagram; one instance per session, called
     * on its I/O thread only.
     */
    public interface Reflection {
        /**
         * Turns the datagram in {@code packet} from {@code at}, {@code length} octets, into its
         * answer in place.
         *
         * @return the answer's length, never more than {@code length}; negative to send nothing
         */
        int reflect(ByteBuf packet, int at, int length, Arrival arrival);

        /**
         * Where a transport that makes answers itself ({@link Arrival#reflectStampAtSend}) records
         * their T3 - T2, or null for nowhere.
         */
        default DurationHistogram residence() {
            return null;
        }

        /**
         * Whether {@link #reflect} reads the {@link Arrival} (receive timestamp, TTL, TOS): where it
         * does not, the native path asks the kernel for none of them, which it would otherwise
         * build as three control messages per datagram.
         */
        default boolean readsArrival() {
            return true;
        }
    }

    /** The plain echo: the datagram's bytes, unchanged. */
    static final Reflection ECHO = new Reflection() {
        @Override
        public int reflect(ByteBuf packet, int at, int length, Arrival arrival) {
            return length;
        }

        @Override
        public boolean readsArrival() {
            return false;
        }
    };

    public UdpEchoEngine(Supplier<Settings> settings) {
        this(settings, 1);
    }

    public UdpEchoEngine(Supplier<Settings> settings, int threads) {
        this(settings, threads, "udp_echo", request -> ECHO);
    }

    /**
     * @param kind the test type's wire name, the prefix of this engine's log events
     * @param reflections a fresh {@link Reflection} for each session's request
     */
    UdpEchoEngine(
            Supplier<Settings> settings, int threads, String kind, Function<EngineRequest, Reflection> reflections) {
        this.settings = settings;
        this.kind = kind;
        this.reflections = reflections;
        this.nativeTransport = Epoll.isAvailable();
        IoHandlerFactory io = nativeTransport ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.group = new MultiThreadIoEventLoopGroup(threads, io);
        if (!nativeTransport) {
            LOG.warn("event={}_nio_fallback cause=\"{}\"", kind, String.valueOf(Epoll.unavailabilityCause()));
        }
    }

    /** Whether Netty runs on epoll (its fallback is NIO). */
    public boolean nativeTransport() {
        return nativeTransport;
    }

    /** The transport the next session gets: {@code native}, {@code epoll} or {@code nio}. */
    public String transport() {
        if (settings.get().nativePath() && NativeUdp.available()) return "native";
        return nativeTransport ? "epoll" : "nio";
    }

    @Override
    public Echo start(EngineRequest request) throws EngineException {
        Settings s = settings.get();
        InetAddress owner = normalize(request.peerAddress());
        EchoGate gate = new EchoGate(s.sourceCheck(), s.maxPacketRate(), System.nanoTime());
        if (s.nativePath() && NativeUdp.available()) {
            NativeEchoSession session = NativeEchoSession.open(
                    request,
                    owner,
                    gate,
                    reflections.apply(request),
                    kind,
                    new NativeEchoSession.Batch(NATIVE_SLOTS, MAX_DATAGRAM, s.busyPollMicros()),
                    nativeSessions);
            logListening(request, session.port(), "native", s);
            return new Echo(gate, session.port(), session::stop, session.closed(), request, kind);
        }
        EchoReceiveBuffer receiveBuffer =
                nativeTransport ? new EchoReceiveBuffer(RECV_SLOTS, MAX_DATAGRAM, MAX_MESSAGES_PER_READ) : null;
        EchoHandler handler = new EchoHandler(owner, gate, System::nanoTime, receiveBuffer, reflections.apply(request));
        // A socket of the peer's address family, bound to that family's wildcard: an IPv4 peer is
        // answered from a plain IPv4 socket (not a dual-stack IPv6 one), an IPv6 peer from IPv6.
        SocketProtocolFamily family =
                owner instanceof Inet6Address ? SocketProtocolFamily.INET6 : SocketProtocolFamily.INET;
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channelFactory(
                        () -> nativeTransport ? new EpollDatagramChannel(family) : new NioDatagramChannel(family))
                .option(ChannelOption.SO_RCVBUF, SOCKET_BUFFER)
                .option(ChannelOption.SO_SNDBUF, SOCKET_BUFFER)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .handler(handler);
        if (receiveBuffer != null) {
            // recvmmsg: one system call fills up to RECV_SLOTS slots, each as large as the largest
            // datagram, so every datagram arrives whole. The allocator's buffer must span a whole
            // number of slots: Netty derives the slot count from its size.
            bootstrap
                    .option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, receiveBuffer.slotSize())
                    .option(ChannelOption.RCVBUF_ALLOCATOR, receiveBuffer);
        } else {
            bootstrap
                    .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(MAX_DATAGRAM))
                    .option(ChannelOption.MAX_MESSAGES_PER_READ, MAX_MESSAGES_PER_READ);
        }
        InetAddress wildcard = wildcardFor(owner);
        ChannelFuture bound = bootstrap.bind(new InetSocketAddress(wildcard, request.port()));
        if (!bound.awaitUninterruptibly(5, TimeUnit.SECONDS) || !bound.isSuccess()) {
            bound.channel().close();
            Throwable cause = bound.cause();
            throw new EngineException(
                    kind + " could not bind port " + request.port() + (cause == null ? "" : ": " + cause.getMessage()),
                    cause);
        }
        Channel channel = bound.channel();
        int port = ((InetSocketAddress) channel.localAddress()).getPort();
        logListening(request, port, nativeTransport ? "epoll" : "nio", s);
        CompletableFuture<Void> closed = new CompletableFuture<>();
        channel.closeFuture().addListener(f -> closed.complete(null));
        return new Echo(gate, port, channel::close, closed, request, kind);
    }

    private void logListening(EngineRequest request, int port, String transport, Settings s) {
        LOG.info(
                "event={}_listening test_id={} port={} transport={} rate={} source_check={}",
                kind,
                request.testId(),
                port,
                transport,
                s.maxPacketRate(),
                s.sourceCheck());
    }

    static InetAddress normalize(InetAddress address) {
        if (address instanceof Inet6Address) {
            byte[] b = address.getAddress();
            boolean mapped = true;
            for (int i = 0; i < 10; i++) mapped &= b[i] == 0;
            mapped &= b[10] == (byte) 0xff && b[11] == (byte) 0xff;
            if (mapped) {
                try {
                    return InetAddress.getByAddress(Arrays.copyOfRange(b, 12, 16));
                } catch (UnknownHostException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return address;
    }

    private static InetAddress wildcardFor(InetAddress owner) {
        try {
            return owner instanceof Inet4Address || owner == null
                    ? InetAddress.getByAddress(new byte[4])
                    : InetAddress.getByAddress(new byte[16]);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        nativeSessions.stopAll();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    /** One echo socket, on either transport. */
    public static final class Echo implements RunningEngine {
        private final EchoGate gate;
        private final int port;
        private final Runnable stop;
        private final CompletableFuture<Long> completion = new CompletableFuture<>();

        /**
         * @param stop closes the socket (never blocks)
         * @param closed completes once the socket is closed and its port free
         */
        Echo(
                EchoGate gate,
                int port,
                Runnable stop,
                CompletableFuture<Void> closed,
                EngineRequest request,
                String kind) {
            this.gate = gate;
            this.port = port;
            this.stop = stop;
            closed.whenComplete((ignored, failure) -> {
                LOG.info(
                        "event={}_closed test_id={} port={} echoed_packets={} echoed_bytes={} "
                                + "dropped_foreign={} dropped_rate={} dropped_backpressure={} dropped_unanswerable={}",
                        kind,
                        request.testId(),
                        port,
                        gate.echoedPackets,
                        gate.echoedBytes,
                        gate.droppedForeign,
                        gate.droppedRate,
                        gate.droppedBackpressure,
                        gate.droppedUnanswerable);
                completion.complete(gate.echoedBytes);
            });
        }

        @Override
        public CompletableFuture<Long> completion() {
            return completion;
        }

        @Override
        public void stop() {
            stop.run();
        }

        public int port() {
            return port;
        }

        public long echoedPackets() {
            return gate.echoedPackets;
        }

        public long echoedBytes() {
            return gate.echoedBytes;
        }

        public long droppedForeign() {
            return gate.droppedForeign;
        }

        public long droppedRate() {
            return gate.droppedRate;
        }

        public long droppedBackpressure() {
            return gate.droppedBackpressure;
        }

        /** Datagrams the reflection declined to answer (for STAMP: shorter than a test packet). */
        public long droppedUnanswerable() {
            return gate.droppedUnanswerable;
        }
    }

    /** Echoes, filters and counts on the Netty path; runs on the channel's event loop only. */
    static final class EchoHandler extends SimpleChannelInboundHandler<DatagramPacket> {
        private final InetAddress owner;
        private final EchoGate gate;
        private final LongSupplier nanoTime;
        private final EchoReceiveBuffer receiveBuffer;
        private final Reflection reflection;
        /** Netty reads no ancillary data and marks no single datagram. */
        private final Arrival arrival = Arrival.unknown();

        private boolean pendingFlush;
        /** The clock is read once per read batch: the bucket refills per batch, not per datagram. */
        private boolean clockStale = true;

        private long batchNanos;

        EchoHandler(
                InetAddress owner,
                EchoGate gate,
                LongSupplier nanoTime,
                EchoReceiveBuffer receiveBuffer,
                Reflection reflection) {
            this.owner = owner;
            this.gate = gate;
            this.reflection = reflection;
            this.nanoTime = nanoTime;
            this.receiveBuffer = receiveBuffer;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            InetSocketAddress sender = packet.sender();
            boolean fromOwner = !gate.checksSource()
                    || (sender != null && normalize(sender.getAddress()).equals(owner));
            if (clockStale) {
                batchNanos = nanoTime.getAsLong();
                clockStale = false;
            }
            if (!gate.admit(fromOwner, batchNanos)) return;
            if (!ctx.channel().isWritable()) {
                gate.backpressure(1);
                return;
            }
            ByteBuf content = packet.content();
            int size = content.readableBytes();
            if (size == 0) {
                // Netty's datagram write path sends nothing for an empty buffer (and sendmmsg
                // batches skip it), so an empty datagram cannot be answered: not counted as echoed.
                return;
            }
            // A right-sized copy, answered in place: the received bytes sit in a slot of the shared
            // receive buffer, which is reused for the next read only once no echo holds a part of
            // it, and the outbound buffer's water mark then counts exactly the memory queued echoes
            // hold.
            ByteBuf echo = ctx.alloc().directBuffer(size, size).writeBytes(content, content.readerIndex(), size);
            int answer = reflection.reflect(echo, 0, size, arrival);
            if (answer < 0) {
                echo.release();
                gate.unanswerable();
                return;
            }
            echo.writerIndex(answer);
            ctx.write(new DatagramPacket(echo, sender), ctx.voidPromise());
            pendingFlush = true;
            gate.answered(1, answer);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            clockStale = true;
            // Published before the echoes leave: whoever has an echo in hand sees it counted.
            gate.publish();
            if (pendingFlush) {
                pendingFlush = false;
                ctx.flush();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            gate.publish();
            super.channelInactive(ctx);
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            gate.publish();
            if (receiveBuffer != null) {
                receiveBuffer.release();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // ICMP port-unreachable from a vanished sender and the like: not a reason to stop echoing.
            LOG.debug("event=udp_echo_error error=\"{}\"", cause.toString());
        }
    }
}
