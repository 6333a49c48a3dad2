package io.packetparamedic.reflector.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.packetparamedic.reflector.auth.AccessLevel;
import io.packetparamedic.reflector.rpc.InboundMessage;
import io.packetparamedic.reflector.wire.FrameLimits;
import io.packetparamedic.reflector.wire.Payload;

/**
 * Raises the connection's frame limit from {@link FrameLimits#MAX_FRAME_BYTES_BEFORE_HELLO} to
 * {@link FrameLimits#MAX_FRAME_BYTES} once its peer has said hello and has full access (an
 * authorized peer, or one that has just paired), then steps out of the pipeline. Until then a
 * stranger, or a peer that may only pair, cannot make the server buffer more than 16 KiB.
 */
final class HelloFrameLimit extends ChannelInboundHandlerAdapter {

    private final FrameDecoder frames;
    private final ConnectionRegistry registry;
    private boolean saidHello;

    HelloFrameLimit(FrameDecoder frames, ConnectionRegistry registry) {
        this.frames = frames;
        this.registry = registry;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof InboundMessage.Request r && r.envelope().payload() instanceof Payload.Hello) {
            saidHello = true;
        }
        PeerConnection peer = registry.get(ctx.channel());
        if (saidHello && peer != null && peer.access() == AccessLevel.FULL) {
            frames.allowFramesUpTo(FrameLimits.MAX_FRAME_BYTES);
            ctx.pipeline().remove(this);
        }
        ctx.fireChannelRead(msg);
    }
}
