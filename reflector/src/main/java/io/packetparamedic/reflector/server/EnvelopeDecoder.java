package io.packetparamedic.reflector.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;
import io.packetparamedic.reflector.rpc.InboundMessage;
import io.packetparamedic.reflector.wire.LinkCodec;
import io.packetparamedic.reflector.wire.ProtocolException;
import java.util.List;

/**
 * Frame body (JSON) to {@link InboundMessage}; a frame that does not decode, or carries a string
 * longer than {@link LinkCodec#MAX_REQUEST_STRING}, becomes {@link InboundMessage.Malformed} (400).
 */
final class EnvelopeDecoder extends MessageToMessageDecoder<ByteBuf> {

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out) {
        byte[] bytes = ByteBufUtil.getBytes(frame);
        try {
            out.add(new InboundMessage.Request(LinkCodec.decodeRequest(bytes)));
        } catch (ProtocolException e) {
            out.add(new InboundMessage.Malformed(e));
        }
    }
}
