package io.packetparamedic.reflector.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.packetparamedic.reflector.metrics.ReflectorMetrics;
import io.packetparamedic.reflector.wire.Addresses;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sits in front of the {@link FrameDecoder} and charges what it buffers to the shared
 * {@link InboundBudget}: each read is reserved before the decoder may buffer it, and once the
 * decoder has taken out its complete frames, what it no longer holds is given back. The first
 * {@code allowance} bytes a connection holds are free, so that small frames (every request an
 * appliance sends) always get through even while large partial frames fill the budget; with at
 * most {@code max_connections} connections that part is bounded too. A read that would take the
 * budget beyond its limit is dropped and its connection closed; the condition is counted and
 * logged at WARN, at most once per ten seconds across all connections.
 */
final class InboundBudgetGuard extends ChannelInboundHandlerAdapter {

    static final String REASON = "budget_exceeded";
    private static final Logger LOG = LoggerFactory.getLogger(InboundBudgetGuard.class);

    private final InboundBudget budget;
    private final int allowance;
    private final IntSupplier heldByDecoder;
    private final ReflectorMetrics metrics;
    private final LogThrottle throttle;
    /** Bytes the decoder may hold now, as far as this handler knows (an upper bound). */
    private long held;

    private boolean refused;

    /**
     * @param allowance bytes a connection may hold without charge
     * @param heldByDecoder how many bytes the decoder behind this handler holds right now
     * @param throttle shared by all connections, so that a flood logs once per interval in all
     */
    InboundBudgetGuard(
            InboundBudget budget,
            int allowance,
            IntSupplier heldByDecoder,
            ReflectorMetrics metrics,
            LogThrottle throttle) {
        this.budget = budget;
        this.allowance = allowance;
        this.heldByDecoder = heldByDecoder;
        this.metrics = metrics;
        this.throttle = throttle;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf bytes)) {
            ctx.fireChannelRead(msg);
            return;
        }
        int size = bytes.readableBytes();
        if (refused || !budget.tryReserve(charge(held + size) - charge(held))) {
            ReferenceCountUtil.release(msg);
            if (!refused) refuse(ctx, size);
            return;
        }
        held += size;
        ctx.fireChannelRead(msg);
        settle(Math.min(held, heldByDecoder.getAsInt()));
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        settle(0);
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        settle(0);
    }

    /** The part of {@code bytes} held by this connection that counts against the budget. */
    private long charge(long bytes) {
        return Math.max(0, bytes - allowance);
    }

    /** Gives back the charge for what the decoder no longer holds (passed on as frames, or dropped). */
    private void settle(long nowHeld) {
        if (nowHeld < held) {
            budget.release(charge(held) - charge(nowHeld));
            held = nowHeld;
        }
    }

    private void refuse(ChannelHandlerContext ctx, int size) {
        refused = true;
        metrics.inboundRefused(REASON);
        long notLogged = throttle.admit();
        if (notLogged >= 0) {
            LOG.warn(
                    "event=inbound_budget_exceeded remote={} connection_held={} read={} held_all={} budget={} not_logged_since_last={}",
                    Addresses.format(ctx.channel().remoteAddress()),
                    held,
                    size,
                    budget.held(),
                    budget.limit(),
                    notLogged);
        }
        // What this connection holds is given back when it is gone (channelInactive), not before.
        ctx.close();
    }
}
