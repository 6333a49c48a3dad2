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
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The UDP echo engine: for each session a datagram socket on the granted port that sends every
 * datagram back, unchanged, to its sender. Runs on Netty's native epoll transport (NIO only where
 * epoll is unavailable) in its own small event loop group, apart from the control plane.
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
    /** Largest UDP payload over IPv4; a bigger read buffer could never fill. */
    private static final int MAX_DATAGRAM = 65_507;
    private static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(256 * 1024, 1024 * 1024);

    private final EventLoopGroup group;
    private final Class<? extends DatagramChannel> channelType;
    private final boolean nativeTransport;
    private final Supplier<Settings> settings;

    /** Echo settings read when a session starts. */
    public record Settings(long maxPacketRate, boolean sourceCheck) {}

    public UdpEchoEngine(Supplier<Settings> settings) {
        this(settings, 1);
    }

    public UdpEchoEngine(Supplier<Settings> settings, int threads) {
        this.settings = settings;
        this.nativeTransport = Epoll.isAvailable();
        IoHandlerFactory io = nativeTransport ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.group = new MultiThreadIoEventLoopGroup(threads, io);
        this.channelType = nativeTransport ? EpollDatagramChannel.class : NioDatagramChannel.class;
        if (!nativeTransport) {
            LOG.warn("event=udp_echo_nio_fallback cause=\"{}\"", String.valueOf(Epoll.unavailabilityCause()));
        }
    }

    public boolean nativeTransport() {
        return nativeTransport;
    }

    @Override
    public Echo start(EngineRequest request) throws EngineException {
        Settings s = settings.get();
        InetAddress owner = normalize(request.peerAddress());
        EchoHandler handler = new EchoHandler(owner, s.sourceCheck(), s.maxPacketRate(), System::nanoTime);
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(channelType)
                .option(ChannelOption.SO_RCVBUF, 1 << 20)
                .option(ChannelOption.SO_SNDBUF, 1 << 20)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(MAX_DATAGRAM))
                .option(ChannelOption.MAX_MESSAGES_PER_READ, 64)
                .handler(handler);
        // Bind the wildcard of the peer's address family: an IPv4 peer is answered from an IPv4
        // socket, an IPv6 peer from an IPv6 one.
        InetAddress wildcard = wildcardFor(owner);
        ChannelFuture bound = bootstrap.bind(new InetSocketAddress(wildcard, request.port()));
        if (!bound.awaitUninterruptibly(5, TimeUnit.SECONDS) || !bound.isSuccess()) {
            bound.channel().close();
            Throwable cause = bound.cause();
            throw new EngineException("UDP echo could not bind port " + request.port()
                    + (cause == null ? "" : ": " + cause.getMessage()), cause);
        }
        LOG.info("event=udp_echo_listening test_id={} port={} transport={} rate={} source_check={}",
                request.testId(), request.port(), nativeTransport ? "epoll" : "nio", s.maxPacketRate(), s.sourceCheck());
        return new Echo(bound.channel(), handler, request);
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
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    /** One echo socket. */
    public static final class Echo implements RunningEngine {
        private final Channel channel;
        private final EchoHandler handler;
        private final CompletableFuture<Long> completion = new CompletableFuture<>();

        Echo(Channel channel, EchoHandler handler, EngineRequest request) {
            this.channel = channel;
            this.handler = handler;
            channel.closeFuture().addListener(f -> {
                LOG.info("event=udp_echo_closed test_id={} port={} echoed_packets={} echoed_bytes={} "
                                + "dropped_foreign={} dropped_rate={} dropped_backpressure={}",
                        request.testId(), request.port(), handler.echoedPackets, handler.echoedBytes,
                        handler.droppedForeign, handler.droppedRate, handler.droppedBackpressure);
                completion.complete(handler.echoedBytes);
            });
        }

        @Override
        public CompletableFuture<Long> completion() {
            return completion;
        }

        @Override
        public void stop() {
            channel.close();
        }

        public int port() {
            return ((InetSocketAddress) channel.localAddress()).getPort();
        }

        public long echoedPackets() {
            return handler.echoedPackets;
        }

        public long echoedBytes() {
            return handler.echoedBytes;
        }

        public long droppedForeign() {
            return handler.droppedForeign;
        }

        public long droppedRate() {
            return handler.droppedRate;
        }

        public long droppedBackpressure() {
            return handler.droppedBackpressure;
        }
    }

    /** Echoes, filters and counts; runs on the channel's event loop only. */
    static final class EchoHandler extends SimpleChannelInboundHandler<DatagramPacket> {
        private final InetAddress owner;
        private final boolean sourceCheck;
        private final TokenBucket bucket;
        private final LongSupplier nanoTime;
        private boolean pendingFlush;
        // Written on the event loop, read by status and tests: volatile for visibility.
        volatile long echoedPackets;
        volatile long echoedBytes;
        volatile long droppedForeign;
        volatile long droppedRate;
        volatile long droppedBackpressure;

        EchoHandler(InetAddress owner, boolean sourceCheck, long packetRate, LongSupplier nanoTime) {
            this.owner = owner;
            this.sourceCheck = sourceCheck;
            this.nanoTime = nanoTime;
            long rate = Math.max(1, packetRate);
            this.bucket = new TokenBucket(rate, Math.max(1, rate / 10), nanoTime.getAsLong());
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            InetSocketAddress sender = packet.sender();
            if (sourceCheck && (sender == null || !normalize(sender.getAddress()).equals(owner))) {
                droppedForeign++;
                return;
            }
            if (!bucket.tryTake(nanoTime.getAsLong())) {
                droppedRate++;
                return;
            }
            if (!ctx.channel().isWritable()) {
                droppedBackpressure++;
                return;
            }
            ByteBuf content = packet.content();
            int size = content.readableBytes();
            // The read buffer is sized for the largest datagram; holding it while the echo waits to
            // be sent would pin 64 KiB per packet, so small datagrams travel in a right-sized copy.
            ByteBuf echo = content.capacity() > 2 * size + 256
                    ? ctx.alloc().directBuffer(size).writeBytes(content, content.readerIndex(), size)
                    : content.retain();
            ctx.write(new DatagramPacket(echo, sender), ctx.voidPromise());
            pendingFlush = true;
            echoedPackets++;
            echoedBytes += size;
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (pendingFlush) {
                pendingFlush = false;
                ctx.flush();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // ICMP port-unreachable from a vanished sender and the like: not a reason to stop echoing.
            LOG.debug("event=udp_echo_error error=\"{}\"", cause.toString());
        }
    }
}
