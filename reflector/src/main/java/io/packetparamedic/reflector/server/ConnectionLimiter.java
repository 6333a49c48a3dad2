package io.packetparamedic.reflector.server;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import io.packetparamedic.reflector.metrics.ReflectorMetrics;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

/**
 * Counts open TCP connections and refuses one beyond the limit before any TLS work is spent on
 * it. The refusal is audited like every other connection outcome. It sits behind the
 * {@link UnauthenticatedGate}, so the connections a flood has opened and the gate is already
 * closing do not count here (its channelActive never reaches this handler, and neither does the
 * count's decrement at the close).
 */
@ChannelHandler.Sharable
final class ConnectionLimiter extends ChannelInboundHandlerAdapter {

    static final String REASON = "connection limit reached";
    private static final AttributeKey<Boolean> COUNTED = AttributeKey.valueOf("pp.limiter.counted");

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
        ctx.channel().attr(COUNTED).set(Boolean.TRUE);
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
        if (ctx.channel().attr(COUNTED).getAndSet(null) != null) {
            open.decrementAndGet();
            metrics.connectionClosed();
        }
        ctx.fireChannelInactive();
    }

    int open() {
        return open.get();
    }
}
