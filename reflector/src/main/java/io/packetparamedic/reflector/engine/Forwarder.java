package io.packetparamedic.reflector.engine;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Copies what its channel reads to {@code target}, with backpressure: when the target's outbound
 * buffer passes its high-water mark this channel stops reading, and the {@link Forwarder} on the
 * target (the other direction) turns reading back on once the target drains. So at most the
 * target's water mark (plus one read) is ever buffered. When its channel closes the target is
 * flushed and then closed, so nothing already read is lost. Used for the iperf3 control
 * connection (a few hundred bytes in all) and for data streams where splice is not available.
 */
final class Forwarder extends ChannelInboundHandlerAdapter {

    private final Channel target;

    Forwarder(Channel target) {
        this.target = target;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        target.write(msg, target.voidPromise());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        target.flush();
        if (!target.isWritable()) ctx.channel().config().setAutoRead(false);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        // Our channel drained below its low-water mark: the other direction may read again.
        if (ctx.channel().isWritable()) target.config().setAutoRead(true);
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closeAfterFlush(target);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A reset from either end is how iperf3 tests often end; nothing to report.
        ctx.close();
    }

    /** Closes {@code channel} once everything queued on it has been written. */
    static void closeAfterFlush(Channel channel) {
        if (channel.isActive()) {
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        } else {
            channel.close();
        }
    }
}
