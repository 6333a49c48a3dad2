package io.packetparamedic.reflector.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.packetparamedic.reflector.wire.FrameLimits;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Splits the byte stream into frames (spec section 4): a 4-byte big-endian unsigned length, then
 * that many bytes. The length is checked before anything is allocated for the body: an announced
 * length above {@link FrameLimits#MAX_FRAME_BYTES} closes the connection with the body unread, so
 * a peer cannot make the server reserve memory by announcing it. Bodies are emitted as retained
 * slices of the received bytes, never copied into a buffer sized from the length field. A
 * partial frame at EOF is dropped and the connection simply ends.
 */
public final class FrameDecoder extends ByteToMessageDecoder {

    private static final Logger LOG = LoggerFactory.getLogger(FrameDecoder.class);

    private final int maxFrameBytes;
    private boolean failed;

    public FrameDecoder() {
        this(FrameLimits.MAX_FRAME_BYTES);
    }

    public FrameDecoder(int maxFrameBytes) {
        this.maxFrameBytes = maxFrameBytes;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (in.readableBytes() < FrameLimits.LENGTH_FIELD_BYTES) return;
        long length = in.getUnsignedInt(in.readerIndex());
        if (length > maxFrameBytes) {
            failed = true;
            in.skipBytes(in.readableBytes());
            LOG.info("event=frame_too_large remote={} announced={} max={}",
                    Addresses.format(ctx.channel().remoteAddress()), length, maxFrameBytes);
            ctx.close();
            return;
        }
        if (in.readableBytes() < FrameLimits.LENGTH_FIELD_BYTES + length) return;
        in.skipBytes(FrameLimits.LENGTH_FIELD_BYTES);
        out.add(in.readRetainedSlice((int) length));
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        decode(ctx, in, out);
        if (in.isReadable() && !failed) {
            LOG.debug("event=truncated_frame remote={} buffered={}",
                    Addresses.format(ctx.channel().remoteAddress()), in.readableBytes());
            in.skipBytes(in.readableBytes());
        }
    }
}
