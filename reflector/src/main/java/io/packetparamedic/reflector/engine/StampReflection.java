package io.packetparamedic.reflector.engine;

import static io.packetparamedic.reflector.engine.StampPacket.AUTH_BASE_LENGTH;
import static io.packetparamedic.reflector.engine.StampPacket.AUTH_ERROR_ESTIMATE;
import static io.packetparamedic.reflector.engine.StampPacket.AUTH_SSID;
import static io.packetparamedic.reflector.engine.StampPacket.AUTH_TIMESTAMP;
import static io.packetparamedic.reflector.engine.StampPacket.BASE_LENGTH;
import static io.packetparamedic.reflector.engine.StampPacket.ERROR_ESTIMATE;
import static io.packetparamedic.reflector.engine.StampPacket.HMAC_LENGTH;
import static io.packetparamedic.reflector.engine.StampPacket.MIN_ANSWERED_LENGTH;
import static io.packetparamedic.reflector.engine.StampPacket.SEQUENCE;
import static io.packetparamedic.reflector.engine.StampPacket.SOFTWARE_ERROR_ESTIMATE;
import static io.packetparamedic.reflector.engine.StampPacket.SSID;
import static io.packetparamedic.reflector.engine.StampPacket.TIMESTAMP;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.time.Clock;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * A stateful STAMP Session-Reflector for one session, in unauthenticated mode (RFC 8762 section
 * 4.3.1) or, given the session's key, in authenticated mode (section 4.3.2); TLVs of RFC 8972
 * section 4. Its answer is exactly as long as the test packet it answers
 * (amplification factor 1). A TWAMP-Light sender's packet of 41 to 43 octets gets the reflector
 * packet cut at its length (TWAMP's reflector packet ends with the TTL octet, offset 40); anything
 * shorter is not answered at all.
 *
 * <p>Stateful: the reflector's Sequence Number counts the packets this session answered, from 0,
 * independently of the sender's, so a sender can tell forward from reverse loss. T2 is read from
 * the wall clock when the datagram is handled (software, after the kernel queued it), T3 just
 * before the answer is handed to the socket.
 *
 * <p>Authenticated mode answers only test packets of at least 112 octets whose HMAC is right;
 * any other datagram is dropped and reported to {@code authFailures}, never answered, and does not
 * advance the reflector's Sequence Number. The answer's own HMAC is computed after T3 is written.
 */
final class StampReflection implements UdpEchoEngine.Reflection {

    /**
     * What the Session-Sender TTL octet says when the IP TTL / Hop Limit cannot be read: Netty's
     * datagram channels do not pass IP_RECVTTL ancillary data up, so this reflector never knows it.
     */
    static final int UNKNOWN_TTL = 255;

    private final Clock wallClock;
    private final LongSupplier nanoTime;
    private final LongConsumer residenceNanos;
    /** The session's key in authenticated mode; null in unauthenticated mode. */
    private final StampHmac hmac;

    private final Runnable authFailures;
    private int sequence;

    /** Unauthenticated mode. */
    StampReflection(Clock wallClock, LongSupplier nanoTime, LongConsumer residenceNanos) {
        this(wallClock, nanoTime, residenceNanos, null, () -> {});
    }

    /**
     * @param residenceNanos told T3 - T2 (monotonic nanoseconds) of every answer
     * @param hmac the session's key for authenticated mode, or null for unauthenticated mode
     * @param authFailures told of every datagram dropped for failing authentication
     */
    StampReflection(
            Clock wallClock,
            LongSupplier nanoTime,
            LongConsumer residenceNanos,
            StampHmac hmac,
            Runnable authFailures) {
        this.wallClock = wallClock;
        this.nanoTime = nanoTime;
        this.residenceNanos = residenceNanos;
        this.hmac = hmac;
        this.authFailures = authFailures;
    }

    @Override
    public ByteBuf reply(ByteBuf received, ByteBufAllocator alloc) {
        return hmac == null ? unauthenticated(received, alloc) : authenticated(received, alloc);
    }

    private ByteBuf unauthenticated(ByteBuf received, ByteBufAllocator alloc) {
        int length = received.readableBytes();
        if (length < MIN_ANSWERED_LENGTH) return null;
        long receivedAt = nanoTime.getAsLong();
        long t2 = NtpTime.of(wallClock.instant());
        int in = received.readerIndex();
        int capacity = Math.max(length, BASE_LENGTH);
        ByteBuf out = alloc.directBuffer(capacity, capacity);
        out.writeInt(sequence++);
        out.writeLong(0); // T3, set last
        out.writeShort(SOFTWARE_ERROR_ESTIMATE);
        out.writeShort(received.getUnsignedShort(in + SSID));
        out.writeLong(t2);
        out.writeInt(received.getInt(in + SEQUENCE));
        out.writeLong(received.getLong(in + TIMESTAMP));
        out.writeShort(received.getUnsignedShort(in + ERROR_ESTIMATE));
        out.writeShort(0);
        out.writeByte(UNKNOWN_TTL);
        out.writeMedium(0);
        if (length < BASE_LENGTH) {
            out.writerIndex(length);
        } else {
            out.writeBytes(received, in + BASE_LENGTH, length - BASE_LENGTH);
            StampTlvs.reflect(out, BASE_LENGTH);
        }
        out.setLong(TIMESTAMP, NtpTime.of(wallClock.instant()));
        residenceNanos.accept(nanoTime.getAsLong() - receivedAt);
        return out;
    }

    private ByteBuf authenticated(ByteBuf received, ByteBufAllocator alloc) {
        long receivedAt = nanoTime.getAsLong();
        long t2 = NtpTime.of(wallClock.instant());
        int length = received.readableBytes();
        if (length < AUTH_BASE_LENGTH || !hmac.verifyBase(received)) {
            authFailures.run();
            return null;
        }
        int in = received.readerIndex();
        ByteBuf out = alloc.directBuffer(length, length);
        out.writeInt(sequence++);
        out.writeZero(12);
        out.writeLong(0); // T3, set last
        out.writeShort(SOFTWARE_ERROR_ESTIMATE);
        out.writeShort(received.getUnsignedShort(in + AUTH_SSID));
        out.writeZero(4);
        out.writeLong(t2);
        out.writeZero(8);
        out.writeInt(received.getInt(in + SEQUENCE));
        out.writeZero(12);
        out.writeLong(received.getLong(in + AUTH_TIMESTAMP));
        out.writeShort(received.getUnsignedShort(in + AUTH_ERROR_ESTIMATE));
        out.writeZero(6);
        out.writeByte(UNKNOWN_TTL);
        out.writeZero(15 + HMAC_LENGTH); // MBZ, then the HMAC, computed last
        if (length > AUTH_BASE_LENGTH) {
            out.writeBytes(received, in + AUTH_BASE_LENGTH, length - AUTH_BASE_LENGTH);
            StampTlvs.reflectAuthenticated(out, AUTH_BASE_LENGTH, received, in + SEQUENCE, hmac);
        }
        out.setLong(AUTH_TIMESTAMP, NtpTime.of(wallClock.instant()));
        hmac.signBase(out);
        residenceNanos.accept(nanoTime.getAsLong() - receivedAt);
        return out;
    }
}
