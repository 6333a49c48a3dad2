package io.packetparamedic.reflector.engine;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.DefaultMaxMessagesRecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;

/**
 * The receive buffer of one echo socket on the epoll transport: {@code slots} slots of the largest
 * UDP payload, filled by one {@code recvmmsg} call, so no datagram is ever truncated. Allocating a
 * buffer of that size per read would cost more than the read itself, so one buffer is kept for the
 * socket's life and handed out again whenever nobody still holds a slice of it (the echo handler
 * copies what it sends and releases the slices at once); if a slice is still held, a fresh buffer
 * is used for that read. Event-loop confined. {@link #release()} when the socket closes.
 */
final class EchoReceiveBuffer extends DefaultMaxMessagesRecvByteBufAllocator {

    private final int slotSize;
    private final int capacity;
    private ByteBuf buffer;

    EchoReceiveBuffer(int slots, int slotSize, int maxMessagesPerRead) {
        super(maxMessagesPerRead);
        this.slotSize = slotSize;
        this.capacity = Math.multiplyExact(slots, slotSize);
    }

    /** Bytes the buffer spans; a multiple of the slot size, as recvmmsg needs. */
    int capacity() {
        return capacity;
    }

    int slotSize() {
        return slotSize;
    }

    @Override
    public Handle newHandle() {
        return new ReusingHandle();
    }

    /** Frees the kept buffer; the last slice still held (if any) frees its memory when released. */
    void release() {
        if (buffer != null) {
            buffer.release();
            buffer = null;
        }
    }

    private ByteBuf take(ByteBufAllocator alloc) {
        if (buffer == null) {
            buffer = alloc.directBuffer(capacity, capacity);
        }
        if (buffer.refCnt() == 1) {
            return buffer.clear().retain();
        }
        return alloc.directBuffer(capacity, capacity);
    }

    private final class ReusingHandle extends MaxMessageHandle {
        @Override
        public ByteBuf allocate(ByteBufAllocator alloc) {
            return take(alloc);
        }

        @Override
        public int guess() {
            return capacity;
        }

        /**
         * Netty's datagram read loop asks again after every recvmmsg regardless of how many
         * datagrams came; a batch that did not fill every slot emptied the socket, so another
         * call would only return EAGAIN. Reading stops there and resumes on the next readiness.
         */
        @Override
        public boolean continueReading(UncheckedBooleanSupplier maybeMoreDataSupplier) {
            return super.continueReading(() -> lastBytesRead() >= attemptedBytesRead());
        }
    }
}
