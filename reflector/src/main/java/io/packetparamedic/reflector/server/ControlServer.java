package io.packetparamedic.reflector.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.packetparamedic.api.config.ReflectorConfig;
import io.packetparamedic.reflector.audit.AuditLog;
import io.packetparamedic.reflector.auth.Authorizer;
import io.packetparamedic.reflector.metrics.ReflectorMetrics;
import io.packetparamedic.reflector.wire.FrameLimits;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The Paramedic Link listener. Each connection's pipeline, head to tail:
 *
 * <ol>
 *   <li>{@link UnauthenticatedGate}: before TLS, refuses connections beyond
 *       {@code max_unauthenticated_per_source} from one address, and keeps those not yet
 *       authenticated within {@code max_unauthenticated_percent} of {@code max_connections} (an
 *       older one makes room, silent ones first); the rest is left to authenticated peers;
 *   <li>{@link ConnectionLimiter}: refuses connections beyond {@code max_connections} before TLS;
 *   <li>{@link FirstByteDeadline}: no first TLS byte within {@code first_byte_timeout_ms} closes;
 *   <li>{@link SslHandler}: TLS 1.3 mutual authentication, ALPN (a client offering none is
 *       served as {@code pp-link/1}), handshake timeout;
 *   <li>{@link PeerIdentityHandler}: Endpoint ID from the certificate key, SAN check,
 *       authorization; installs the dispatcher (the connection leaves the unauthenticated stage),
 *       then leaves;
 *   <li>{@link InboundBudgetGuard}: bytes buffered in incomplete frames, across all connections,
 *       stay within {@code max_buffered_inbound_bytes} (the first 16 KiB of each are free);
 *   <li>{@link FrameDecoder}: length-prefixed frames, 16 KiB at most until {@link HelloFrameLimit}
 *       raises it to 1 MiB; an oversized announced length closes;
 *   <li>{@link IdleStateHandler} + {@link IdleCloser}: no complete frame for the idle timeout closes;
 *   <li>{@link EnvelopeEncoder} (outbound) and {@link EnvelopeDecoder}: JSON;
 *   <li>{@link HelloFrameLimit}: after the hello of a peer with full access, allows 1 MiB frames;
 *   <li>the request dispatcher (added once the peer is authorized).
 * </ol>
 */
public final class ControlServer implements AutoCloseable {

    /** Bytes each connection may hold in an incomplete frame outside the inbound budget: one small frame. */
    static final int SMALL_FRAME_ALLOWANCE = FrameLimits.MAX_FRAME_BYTES_BEFORE_HELLO + FrameLimits.LENGTH_FIELD_BYTES;

    private final ChannelGroup connections;
    private final ConnectionLimiter limiter;
    private final Channel listener;

    private ControlServer(ChannelGroup connections, ConnectionLimiter limiter, Channel listener) {
        this.connections = connections;
        this.limiter = limiter;
        this.listener = listener;
    }

    /**
     * Binds {@code bindAddress} and starts accepting. The limits and timeouts are read from
     * {@code network} as they are needed (a connection's timeouts when it is accepted), so a
     * configuration change applies to the next connection; ALPN is fixed at start.
     *
     * @param dispatcherFactory builds the request handler for an authorized or pairing-only connection
     */
    public static ControlServer start(
            Transport transport,
            InetSocketAddress bindAddress,
            Supplier<ReflectorConfig.Network> network,
            SslContext sslContext,
            Authorizer authorizer,
            AuditLog audit,
            ReflectorMetrics metrics,
            ConnectionRegistry registry,
            Function<PeerConnection, ChannelHandler> dispatcherFactory,
            Clock clock)
            throws InterruptedException {
        ConnectionAuditor auditor = new ConnectionAuditor(audit, metrics);
        ConnectionLimiter limiter = new ConnectionLimiter(() -> network.get().maxConnections, metrics, auditor);
        PreAuthRefusals refusals = new PreAuthRefusals(metrics, auditor);
        UnauthenticatedGate gate = new UnauthenticatedGate(
                () -> network.get().maxUnauthenticatedPerSource,
                () -> UnauthenticatedGate.totalFor(
                        network.get().maxConnections, network.get().maxUnauthenticatedPercent),
                refusals);
        metrics.unauthenticatedConnections(gate::open);
        InboundBudget budget = new InboundBudget(() -> network.get().maxBufferedInboundBytes);
        metrics.inboundBufferedBytes(budget::held);
        LogThrottle budgetLog = new LogThrottle();
        // PeerIdentityHandler asks for the dispatcher exactly when it accepts a peer (full or
        // pairing-only access): from then on the connection no longer counts as unauthenticated.
        Function<PeerConnection, ChannelHandler> accepted = connection -> {
            gate.authenticated(connection.channel());
            return dispatcherFactory.apply(connection);
        };
        EnvelopeEncoder encoder = new EnvelopeEncoder();
        IdleCloser idleCloser = new IdleCloser();
        // The SslContext was built for this ALPN, so it stays what it was at start.
        String alpn = network.get().alpn;
        boolean requireAlpn = network.get().requireAlpn;
        ChannelGroup group = new DefaultChannelGroup("control", GlobalEventExecutor.INSTANCE);

        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(transport.boss(), transport.workers())
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        group.add(ch);
                        ReflectorConfig.Network now = network.get();
                        SslHandler ssl = sslContext.newHandler(ch.alloc());
                        ssl.setHandshakeTimeoutMillis(TimeUnit.SECONDS.toMillis(now.handshakeTimeoutSec));
                        FrameDecoder frames =
                                new FrameDecoder(FrameLimits.MAX_FRAME_BYTES_BEFORE_HELLO, metrics::inboundRefused);
                        ChannelPipeline p = ch.pipeline();
                        p.addLast("unauthenticated", gate);
                        p.addLast("limiter", limiter);
                        p.addLast("first-byte", new FirstByteDeadline(now.firstByteTimeoutMs, refusals, gate::spoke));
                        p.addLast("tls", ssl);
                        p.addLast(
                                "identity",
                                new PeerIdentityHandler(
                                        alpn, requireAlpn, authorizer, auditor, metrics, registry, accepted, clock));
                        p.addLast(
                                "budget",
                                new InboundBudgetGuard(
                                        budget, SMALL_FRAME_ALLOWANCE, frames::buffered, metrics, budgetLog));
                        p.addLast("frames", frames);
                        p.addLast("idle", new IdleStateHandler(now.idleTimeoutSec, 0, 0, TimeUnit.SECONDS));
                        p.addLast("idle-close", idleCloser);
                        p.addLast("json-out", encoder);
                        p.addLast("json-in", new EnvelopeDecoder());
                        p.addLast("frame-limit", new HelloFrameLimit(frames, registry));
                    }
                });
        Channel listener = bootstrap.bind(bindAddress).sync().channel();
        return new ControlServer(group, limiter, listener);
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) listener.localAddress();
    }

    /** Open TCP connections, authenticated or not (those the unauthenticated gate refused aside). */
    public int openConnections() {
        return limiter.open();
    }

    /** Stops accepting, then closes every connection (TLS close_notify is sent on the way out). */
    @Override
    public void close() {
        listener.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        connections.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
