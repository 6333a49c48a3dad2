package io.packetparamedic.reflector.server;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.packetparamedic.reflector.metrics.ReflectorMetrics;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

/**
 * First in the pipeline: counts open TCP connections and refuses one beyond the limit before any
 * TLS work is spent on it. The refusal is audited like every other connection outcome.
 */
@ChannelHandler.Sharable
final class ConnectionLimiter extends ChannelInboundHandlerAdapter {

    static final String REASON = "connection limit reached";

    private final AtomicInteger open = new AtomicInteger();
    private final IntSupplier maxConnections;
    private final ReflectorMetrics metrics;
    private final ConnectionAuditor auditor;

    ConnectionLimiter(IntSupplier maxConnections, ReflectorMetrics metrics, ConnectionAuditor auditor) {
        this.maxConnections = maxConnections;
        this.metrics = metrics;
        this.auditor = auditor;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        metrics.connectionOpened();
        // Read once now: Netty caches it, and the audit line needs it even after the close.
        ctx.channel().remoteAddress();
        if (open.incrementAndGet() > maxConnections.getAsInt()) {
            auditor.denied(ctx.channel(), null, REASON, "limit");
            ctx.close();
            return;
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        open.decrementAndGet();
        metrics.connectionClosed();
        ctx.fireChannelInactive();
    }

    int open() {
        return open.get();
    }
}
