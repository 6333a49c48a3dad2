package io.packetparamedic.reflector.engine;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * On the pinned control connection, after the cookie: holds back the client's parameter block
 * (4-byte length + JSON, at most {@value Iperf3Wire#MAX_PARAMETERS} bytes) until it is complete,
 * has the relay check it against the grant, and only then lets it through to iperf3. A refused
 * block never reaches iperf3. Once passed, it steps out of the pipeline.
 */
final class ParameterGate extends ChannelInboundHandlerAdapter {

    private final Iperf3Relay relay;
    private ByteBuf held;
    private boolean done;

    ParameterGate(Iperf3Relay relay) {
        this.relay = relay;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (done || !(msg instanceof ByteBuf in)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (held == null) held = ctx.alloc().heapBuffer(256);
        try {
            // A real client sends nothing after the block until iperf3 answers it, so more than a
            // maximal block is never iperf3.
            if (held.readableBytes() + in.readableBytes() > 4 + Iperf3Wire.MAX_PARAMETERS) {
                refuse(ctx, DataPlaneRefusal.Reason.BAD_PARAMETERS);
                return;
            }
            held.writeBytes(in);
        } finally {
            in.release();
        }
        if (held.readableBytes() < 4) return;
        int length = held.getInt(held.readerIndex());
        if (length <= 0 || length > Iperf3Wire.MAX_PARAMETERS) {
            refuse(ctx, DataPlaneRefusal.Reason.BAD_PARAMETERS);
            return;
        }
        if (held.readableBytes() < 4 + length) return;
        byte[] json = new byte[length];
        held.getBytes(held.readerIndex() + 4, json);
        if (!relay.parametersReceived(ctx.channel(), json)) {
            refuse(ctx, null);
            return;
        }
        done = true;
        ByteBuf pass = held;
        held = null;
        ctx.fireChannelRead(pass);
        ctx.fireChannelReadComplete();
        ctx.pipeline().remove(this);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (held != null) {
            held.release();
            held = null;
        }
    }

    /** {@code reason} null: the relay has already recorded the refusal. */
    private void refuse(ChannelHandlerContext ctx, DataPlaneRefusal.Reason reason) {
        done = true;
        if (reason != null) relay.refuse(ctx.channel(), reason);
        else ctx.close();
    }
}
