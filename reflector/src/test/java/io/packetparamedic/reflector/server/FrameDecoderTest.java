package io.packetparamedic.reflector.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.buffer.UnpooledDirectByteBuf;
import io.netty.buffer.UnpooledHeapByteBuf;
import io.netty.channel.ChannelOption;
import io.netty.channel.embedded.EmbeddedChannel;
import io.packetparamedic.reflector.wire.FrameLimits;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The frame decoder alone: oversized announced lengths close without allocation, partial frames wait. */
class FrameDecoderTest {

    /** An allocator that records the largest buffer anyone asked it for. */
    private static final class MeasuringAllocator extends AbstractByteBufAllocator {
        final AtomicLong largest = new AtomicLong();

        MeasuringAllocator() {
            super(false);
        }

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            largest.accumulateAndGet(initialCapacity, Math::max);
            return new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity);
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            largest.accumulateAndGet(initialCapacity, Math::max);
            return new UnpooledDirectByteBuf(this, initialCapacity, maxCapacity);
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }
    }

    private static EmbeddedChannel channel(ByteBufAllocator alloc) {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.config().setOption(ChannelOption.ALLOCATOR, alloc);
        ch.pipeline().addLast(new FrameDecoder());
        return ch;
    }

    private static ByteBuf header(long length) {
        return Unpooled.buffer(4).writeInt((int) length);
    }

    @Test
    void announcedLengthOf2Pow31ClosesWithoutAllocating() {
        MeasuringAllocator alloc = new MeasuringAllocator();
        EmbeddedChannel ch = channel(alloc);
        ch.writeInbound(header(1L << 31));
        assertThat(ch.isOpen()).isFalse();
        assertThat((Object) ch.readInbound()).isNull();
        assertThat(alloc.largest.get()).isLessThan(64 * 1024);
    }

    @Test
    void announcedLengthOfOneMebibytePlusOneClosesWithoutAllocating() {
        MeasuringAllocator alloc = new MeasuringAllocator();
        EmbeddedChannel ch = channel(alloc);
        ByteBuf bytes = header(FrameLimits.MAX_FRAME_BYTES + 1L).writeBytes(new byte[100]);
        ch.writeInbound(bytes);
        assertThat(ch.isOpen()).isFalse();
        assertThat(alloc.largest.get()).isLessThan(64 * 1024);
    }

    @Test
    void exactlyOneMebibyteIsAccepted() {
        EmbeddedChannel ch = channel(UnpooledByteBufAllocator.DEFAULT);
        ch.writeInbound(header(FrameLimits.MAX_FRAME_BYTES).writeBytes(new byte[FrameLimits.MAX_FRAME_BYTES]));
        ByteBuf frame = ch.readInbound();
        assertThat(frame.readableBytes()).isEqualTo(FrameLimits.MAX_FRAME_BYTES);
        frame.release();
        assertThat(ch.isOpen()).isTrue();
    }

    @Test
    void framesSplitAcrossReadsAndSeveralPerReadAreDelimited() {
        EmbeddedChannel ch = channel(UnpooledByteBufAllocator.DEFAULT);
        byte[] a = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
        byte[] b = "{\"b\":2}".getBytes(StandardCharsets.UTF_8);
        ByteBuf all = Unpooled.buffer()
                .writeInt(a.length)
                .writeBytes(a)
                .writeInt(b.length)
                .writeBytes(b);
        ch.writeInbound(all.readRetainedSlice(2));
        assertThat((Object) ch.readInbound()).isNull();
        ch.writeInbound(all.readRetainedSlice(7));
        assertThat((Object) ch.readInbound()).isNull();
        ch.writeInbound(all);
        ByteBuf first = ch.readInbound();
        ByteBuf second = ch.readInbound();
        assertThat(first.toString(StandardCharsets.UTF_8)).isEqualTo("{\"a\":1}");
        assertThat(second.toString(StandardCharsets.UTF_8)).isEqualTo("{\"b\":2}");
        first.release();
        second.release();
    }

    @Test
    void truncatedFrameThenEofEndsCleanly() {
        EmbeddedChannel ch = channel(UnpooledByteBufAllocator.DEFAULT);
        ch.writeInbound(header(100).writeBytes(new byte[10]));
        assertThat((Object) ch.readInbound()).isNull();
        assertThat(ch.finish()).isFalse();
        ch.checkException();
    }
}
