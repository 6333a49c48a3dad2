package io.packetparamedic.reflector.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.packetparamedic.reflector.wire.Addresses;
import io.packetparamedic.reflector.wire.FrameLimits;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Splits the byte stream into frames (spec section 4): a 4-byte big-endian unsigned length, then
 * that many bytes. The length is checked before anything is allocated for the body: an announced
 * length above the current limit closes the connection with the body unread, so a peer cannot
 * make the server reserve memory by announcing it. The limit starts small
 * ({@link FrameLimits#MAX_FRAME_BYTES_BEFORE_HELLO} on the control port) and is raised to
 * {@link FrameLimits#MAX_FRAME_BYTES} by {@link #allowFramesUpTo} once the peer is authorized
 * and has said hello. Bodies are emitted as retained slices of the received bytes, never copied
 * into a buffer sized from the length field. A partial frame at EOF is dropped and the
 * connection simply ends.
 */
public final class FrameDecoder extends ByteToMessageDecoder {

    /** Tag of a refusal by the raised (authorized) limit. */
    public static final String TOO_LARGE = "frame_too_large";
    /** Tag of a refusal by the initial limit, before the limit was raised. */
    public static final String TOO_LARGE_BEFORE_HELLO = "frame_too_large_before_hello";

    private static final Logger LOG = LoggerFactory.getLogger(FrameDecoder.class);

    private final Consumer<String> onTooLarge;
    private int maxFrameBytes;
    private boolean raised;
    private boolean failed;

    public FrameDecoder() {
        this(FrameLimits.MAX_FRAME_BYTES);
    }

    public FrameDecoder(int maxFrameBytes) {
        this(maxFrameBytes, reason -> {});
    }

    /** @param onTooLarge told {@link #TOO_LARGE} or {@link #TOO_LARGE_BEFORE_HELLO} when a frame closes the connection */
    public FrameDecoder(int maxFrameBytes, Consumer<String> onTooLarge) {
        this.maxFrameBytes = maxFrameBytes;
        this.onTooLarge = onTooLarge;
    }

    /** Raises the limit for the frames still to come (never lowers it). */
    public void allowFramesUpTo(int maxFrameBytes) {
        if (maxFrameBytes > this.maxFrameBytes) {
            this.maxFrameBytes = maxFrameBytes;
            raised = true;
        }
    }

    public int maxFrameBytes() {
        return maxFrameBytes;
    }

    /** Bytes of an incomplete frame held now, waiting for the rest. */
    public int buffered() {
        return internalBuffer().readableBytes();
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
            String reason = raised ? TOO_LARGE : TOO_LARGE_BEFORE_HELLO;
            LOG.info(
                    "event=frame_too_large remote={} announced={} max={} reason={}",
                    Addresses.format(ctx.channel().remoteAddress()),
                    length,
                    maxFrameBytes,
                    reason);
            onTooLarge.accept(reason);
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
            LOG.debug(
                    "event=truncated_frame remote={} buffered={}",
                    Addresses.format(ctx.channel().remoteAddress()),
                    in.readableBytes());
            in.skipBytes(in.readableBytes());
        }
    }
}
