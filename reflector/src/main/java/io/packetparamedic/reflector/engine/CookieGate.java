package io.packetparamedic.reflector.engine;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * First handler of every accepted data-port connection: collects the iperf3 cookie (the first
 * {@value Iperf3Wire#COOKIE_SIZE} bytes) within a deadline and hands the connection to the relay,
 * which decides its role. Holds at most one cookie plus one read: whatever arrived after the cookie
 * is passed on with it. A connection that sends no cookie in time, or closes first, is refused.
 */
final class CookieGate extends ChannelInboundHandlerAdapter {

    private final Iperf3Relay relay;
    private final long deadlineMillis;
    private ByteBuf received;
    private ScheduledFuture<?> deadline;
    private boolean decided;

    CookieGate(Iperf3Relay relay, long deadlineMillis) {
        this.relay = relay;
        this.deadlineMillis = deadlineMillis;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        received = ctx.alloc().heapBuffer(Iperf3Wire.COOKIE_SIZE);
        deadline = ctx.executor()
                .schedule(() -> refuse(ctx, DataPlaneRefusal.Reason.NO_COOKIE), deadlineMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (decided || !(msg instanceof ByteBuf in)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        try {
            received.writeBytes(in, Math.min(in.readableBytes(), Iperf3Wire.COOKIE_SIZE - received.readableBytes()));
            if (received.readableBytes() < Iperf3Wire.COOKIE_SIZE) return;
            decide();
            if (!Iperf3Wire.isCookie(received)) {
                refuse(ctx, DataPlaneRefusal.Reason.BAD_COOKIE);
                return;
            }
            byte[] cookie = new byte[Iperf3Wire.COOKIE_SIZE];
            received.getBytes(received.readerIndex(), cookie);
            // Stop reading until the relay has connected upstream; the kernel holds the rest.
            ctx.channel().config().setAutoRead(false);
            ByteBuf first = ctx.alloc()
                    .buffer(Iperf3Wire.COOKIE_SIZE + in.readableBytes())
                    .writeBytes(received)
                    .writeBytes(in);
            ctx.pipeline().remove(this);
            relay.admit(ctx.channel(), cookie, first);
        } finally {
            in.release();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!decided) refuse(ctx, DataPlaneRefusal.Reason.NO_COOKIE);
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (deadline != null) deadline.cancel(false);
        if (received != null) {
            received.release();
            received = null;
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close(); // a reset before the cookie: channelInactive refuses it
    }

    private void refuse(ChannelHandlerContext ctx, DataPlaneRefusal.Reason reason) {
        if (!decided) decide();
        relay.refuse(ctx.channel(), reason);
    }

    private void decide() {
        decided = true;
        deadline.cancel(false);
        relay.cookieWaitEnded();
    }
}
