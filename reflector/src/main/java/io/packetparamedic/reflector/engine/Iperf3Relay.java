package io.packetparamedic.reflector.engine;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.AbstractEpollStreamChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.ChannelGroupFuture;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.ScheduledFuture;
import io.packetparamedic.reflector.wire.Addresses;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The granted data port of one throughput session: a TCP listener that admits only the session's
 * iperf3 test and relays it to the iperf3 server listening on loopback.
 *
 * <p>Rules, in the order a connection meets them:
 * <ol>
 *   <li>from the granted peer's IP, else closed at once ({@code foreign_address});
 *   <li>at most {@value #MAX_PENDING} connections waiting for their cookie ({@code too_many_pending});
 *   <li>an iperf3 cookie within {@value #COOKIE_DEADLINE_MS} ms ({@code no_cookie}, {@code bad_cookie},
 *       see {@link CookieGate});
 *   <li>the first cookie pins the session and its connection is the control connection; later
 *       connections must carry the same cookie ({@code cookie_mismatch}) and are data streams, at
 *       most as many as the client announced and the grant allows ({@code too_many_streams});
 *   <li>the control connection's parameter block must ask for TCP, the granted direction and no
 *       more streams than granted, else it never reaches iperf3 and the connection is closed
 *       ({@link ParameterGate}).
 * </ol>
 *
 * <p>Every channel of a session (listener, accepted and upstream connections) lives on one event
 * loop: the state below needs no locks, and epoll's splice requires both ends on the same loop.
 * Data streams are spliced in the kernel (socket → pipe → socket) where epoll is available, else
 * forwarded by {@link Forwarder}; the control connection is always forwarded (it carries a few
 * hundred bytes and the parameter block must be read).
 */
final class Iperf3Relay {

    private static final Logger LOG = LoggerFactory.getLogger(Iperf3Relay.class);
    static final int MAX_PENDING = 16;
    static final long COOKIE_DEADLINE_MS = 5_000;
    /** Refusals logged one line each per session; the rest are counted in the closing line. */
    static final int MAX_REFUSALS_LOGGED = 32;

    private static final int UPSTREAM_CONNECT_TIMEOUT_MS = 2_000;
    /** Bounds what one direction of a forwarded connection may hold in user space. */
    private static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(128 * 1024, 512 * 1024);

    private final EngineRequest request;
    private final InetAddress owner;
    private final InetSocketAddress upstream;
    private final EventLoop loop;
    private final boolean epoll;
    private final Iperf3Wire.Grant grant;
    private final ChannelGroup connections;
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private Channel listener;

    // Confined to the event loop.
    private byte[] pinned;
    private int allowedStreams; // 0 until the parameter block has passed
    private int dataStreams;
    private int pending;
    private long refusals;
    private volatile long refusalsTotal;
    private volatile boolean testRefused;

    private Iperf3Relay(EngineRequest request, InetSocketAddress upstream, EventLoop loop, boolean epoll) {
        this.request = request;
        this.owner = request.peerAddress() == null ? null : UdpEchoEngine.normalize(request.peerAddress());
        this.upstream = upstream;
        this.loop = loop;
        this.epoll = epoll;
        this.grant = new Iperf3Wire.Grant(request.streams(), request.reverse());
        this.connections = new DefaultChannelGroup("relay-" + request.port(), loop);
    }

    /** Binds the granted port (all addresses) and returns once it listens. */
    static Iperf3Relay start(EventLoop loop, boolean epoll, EngineRequest request, InetSocketAddress upstream)
            throws EngineException {
        Iperf3Relay relay = new Iperf3Relay(request, upstream, loop, epoll);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(loop, loop)
                .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true) // as iperf3 does: a TIME_WAIT leftover does not block
                .option(ChannelOption.SO_BACKLOG, 64)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        relay.accepted(ch);
                    }
                });
        ChannelFuture bound = bootstrap.bind(new InetSocketAddress(request.port()));
        if (!bound.awaitUninterruptibly(5, TimeUnit.SECONDS) || !bound.isSuccess()) {
            bound.channel().close();
            Throwable cause = bound.cause();
            throw new EngineException(
                    "the relay could not bind port " + request.port()
                            + (cause == null ? "" : ": " + cause.getMessage()),
                    cause);
        }
        relay.listener = bound.channel();
        return relay;
    }

    /** Refusals so far (all reasons). */
    long refusals() {
        return refusalsTotal;
    }

    /** Whether the pinned test's parameters were refused (iperf3 then ends without totals). */
    boolean testRefused() {
        return testRefused;
    }

    /** Completes once the listener and every connection of the session are closed. */
    CompletableFuture<Void> closed() {
        return closed;
    }

    /**
     * Stops accepting, lets open connections finish what iperf3 already wrote (they close when
     * iperf3's ends do), and closes whatever is still open after {@code drainMillis}.
     */
    void shutdown(long drainMillis) {
        try {
            loop.execute(() -> drain(drainMillis));
        } catch (RejectedExecutionException e) {
            // The engine is closing and its loops are gone: so are this relay's channels.
            closed.complete(null);
        }
    }

    private void drain(long drainMillis) {
        listener.close();
        ChannelGroupFuture all = connections.newCloseFuture();
        // Connections still owing their cookie can never be served now: close them (refused as
        // no_cookie) rather than let a silent one hold the session open until the backstop.
        for (Channel c : connections) {
            if (c.pipeline().get(CookieGate.class) != null) c.close();
        }
        ScheduledFuture<?> backstop = loop.schedule(() -> connections.close(), drainMillis, TimeUnit.MILLISECONDS);
        all.addListener(f -> {
            backstop.cancel(false);
            if (refusals > MAX_REFUSALS_LOGGED) {
                LOG.info(
                        "event=dataplane_refusals_suppressed test_id={} port={} refusals={} logged={}",
                        request.testId(),
                        request.port(),
                        refusals,
                        MAX_REFUSALS_LOGGED);
            }
            // The listener's close is asynchronous too: the port is free only once it completes.
            // Completing from a fresh task puts it behind the channelInactive events Netty queued
            // when those channels closed, so their refusals are recorded before the session ends.
            listener.closeFuture().addListener(l -> {
                try {
                    loop.execute(() -> closed.complete(null));
                } catch (RejectedExecutionException e) {
                    closed.complete(null); // the loop is shutting down: nothing is left to wait for
                }
            });
        });
    }

    // ---- connection admission (event loop) -------------------------------------------------------

    private void accepted(Channel ch) {
        connections.add(ch);
        InetSocketAddress source = (InetSocketAddress) ch.remoteAddress();
        if (owner == null || source == null || !owner.equals(UdpEchoEngine.normalize(source.getAddress()))) {
            refuse(ch, DataPlaneRefusal.Reason.FOREIGN_ADDRESS);
            return;
        }
        if (pending >= MAX_PENDING) {
            refuse(ch, DataPlaneRefusal.Reason.TOO_MANY_PENDING);
            return;
        }
        pending++;
        ch.pipeline()
                .addLast("cookie", new CookieGate(this, COOKIE_DEADLINE_MS))
                .addLast("quiet", QUIET);
    }

    void cookieWaitEnded() {
        pending--;
    }

    /** A connection with a well-formed cookie: pins the session, or joins it as a data stream. */
    void admit(Channel ch, byte[] cookie, ByteBuf first) {
        boolean control;
        if (pinned == null) {
            pinned = cookie;
            control = true;
            LOG.info(
                    "event=dataplane_pinned test_id={} port={} source={}",
                    request.testId(),
                    request.port(),
                    Addresses.format(ch.remoteAddress()));
        } else if (!Arrays.equals(pinned, cookie)) {
            first.release();
            refuse(ch, DataPlaneRefusal.Reason.COOKIE_MISMATCH);
            return;
        } else if (dataStreams >= allowedStreams) {
            first.release();
            refuse(ch, DataPlaneRefusal.Reason.TOO_MANY_STREAMS);
            return;
        } else {
            dataStreams++;
            control = false;
        }
        connectUpstream(ch, control, first);
    }

    /** The control connection's parameter block; false when refused (the refusal is recorded). */
    boolean parametersReceived(Channel ch, byte[] json) {
        Iperf3Wire.Verdict verdict = Iperf3Wire.check(json, grant);
        if (!verdict.allowed()) {
            testRefused = true;
            refuse(ch, verdict.refusal());
            return false;
        }
        allowedStreams = verdict.parallel();
        LOG.info(
                "event=dataplane_parameters_accepted test_id={} port={} streams={} reverse={}",
                request.testId(),
                request.port(),
                verdict.parallel(),
                grant.reverse());
        return true;
    }

    /** Records a refusal (log line, the session's listener) and closes the connection. */
    void refuse(Channel ch, DataPlaneRefusal.Reason reason) {
        refusals++;
        refusalsTotal = refusals;
        InetSocketAddress source = (InetSocketAddress) ch.remoteAddress();
        if (refusals <= MAX_REFUSALS_LOGGED) {
            LOG.info(
                    "event=dataplane_refused test_id={} port={} source={} reason={}",
                    request.testId(),
                    request.port(),
                    Addresses.format(source),
                    reason.wire());
        }
        try {
            request.refusals().accept(new DataPlaneRefusal(request.testId(), request.port(), source, reason));
        } catch (RuntimeException e) {
            LOG.warn("event=dataplane_refusal_listener_failed test_id={} error=\"{}\"", request.testId(), e.toString());
        }
        ch.close();
    }

    // ---- relaying (event loop) ------------------------------------------------------------------

    private void connectUpstream(Channel ch, boolean control, ByteBuf first) {
        Bootstrap bootstrap = new Bootstrap()
                .group(loop)
                .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, UPSTREAM_CONNECT_TIMEOUT_MS)
                .handler(QUIET);
        bootstrap.connect(upstream).addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                first.release();
                LOG.warn(
                        "event=dataplane_upstream_failed test_id={} port={} error=\"{}\"",
                        request.testId(),
                        request.port(),
                        String.valueOf(f.cause()));
                ch.close();
                return;
            }
            Channel up = f.channel();
            connections.add(up);
            if (!ch.isActive()) {
                first.release();
                up.close();
                return;
            }
            up.writeAndFlush(first);
            if (control) {
                ch.pipeline().addLast("parameters", new ParameterGate(this)).addLast("to-iperf3", new Forwarder(up));
                up.pipeline().addLast("to-client", new Forwarder(ch));
            } else if (epoll) {
                splice(ch, up);
            } else {
                ch.pipeline().addLast("to-iperf3", new Forwarder(up));
                up.pipeline().addLast("to-client", new Forwarder(ch));
            }
            ch.config().setAutoRead(true);
            up.config().setAutoRead(true);
        });
    }

    /**
     * Both directions spliced in the kernel; Netty stops reading a side while its pipe has not
     * drained into the other socket, so at most one pipe (64 KiB) is in flight per direction.
     */
    @SuppressWarnings("deprecation") // spliceTo: deprecated in 4.2 with no replacement yet, and the fastest path
    private static void splice(Channel ch, Channel up) {
        AbstractEpollStreamChannel client = (AbstractEpollStreamChannel) ch;
        AbstractEpollStreamChannel server = (AbstractEpollStreamChannel) up;
        client.spliceTo(server, Integer.MAX_VALUE);
        server.spliceTo(client, Integer.MAX_VALUE);
        ch.closeFuture().addListener(f -> Forwarder.closeAfterFlush(up));
        up.closeFuture().addListener(f -> Forwarder.closeAfterFlush(ch));
    }

    /** Last in every relayed pipeline: a reset ends iperf3 streams as often as a FIN does; close without a report. */
    private static final ChannelHandler QUIET = new Quiet();

    @ChannelHandler.Sharable
    private static final class Quiet extends ChannelInboundHandlerAdapter {
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
