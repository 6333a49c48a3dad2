package io.packetparamedic.reflector.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;
import io.packetparamedic.reflector.wire.Envelope;
import io.packetparamedic.reflector.wire.FrameLimits;
import io.packetparamedic.reflector.wire.LinkCodec;

/** {@link Envelope} to one frame: 4-byte big-endian length, then the compact JSON. */
@ChannelHandler.Sharable
final class EnvelopeEncoder extends MessageToByteEncoder<Envelope> {

    EnvelopeEncoder() {
        super(Envelope.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Envelope envelope, ByteBuf out) {
        byte[] json = LinkCodec.encode(envelope);
        if (json.length > FrameLimits.MAX_FRAME_BYTES) {
            throw new IllegalStateException("response of " + json.length + " bytes exceeds the frame limit");
        }
        out.writeInt(json.length);
        out.writeBytes(json);
    }
}
