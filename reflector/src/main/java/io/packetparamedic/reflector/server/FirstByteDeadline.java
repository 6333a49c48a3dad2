package io.packetparamedic.reflector.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Closes a connection whose first byte (the start of the TLS ClientHello) has not arrived within
 * {@code first_byte_timeout_ms} of the TCP handshake, instead of letting a silent socket hold an
 * unauthenticated slot for the whole TLS handshake timeout. Steps out of the pipeline at the
 * first byte; from then on the handshake timeout applies.
 */
final class FirstByteDeadline extends ChannelInboundHandlerAdapter {

    private final long timeoutMillis;
    private final PreAuthRefusals refusals;
    private final Consumer<Channel> onFirstByte;
    private ScheduledFuture<?> timer;

    /** @param onFirstByte told when the first byte has arrived (before it goes on to TLS) */
    FirstByteDeadline(long timeoutMillis, PreAuthRefusals refusals, Consumer<Channel> onFirstByte) {
        this.timeoutMillis = timeoutMillis;
        this.refusals = refusals;
        this.onFirstByte = onFirstByte;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        timer = ctx.executor().schedule(() -> expire(ctx), timeoutMillis, TimeUnit.MILLISECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ctx.pipeline().remove(this);
        onFirstByte.accept(ctx.channel());
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cancel();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancel();
    }

    private void expire(ChannelHandlerContext ctx) {
        timer = null;
        if (!ctx.channel().isActive()) return;
        refusals.refuse(ctx.channel(), PreAuthRefusals.FIRST_BYTE_TIMEOUT, timeoutMillis);
        ctx.close();
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
