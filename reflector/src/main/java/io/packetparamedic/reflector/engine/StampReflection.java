package io.packetparamedic.reflector.engine;

import static io.packetparamedic.reflector.engine.StampPacket.BASE_LENGTH;
import static io.packetparamedic.reflector.engine.StampPacket.ERROR_ESTIMATE;
import static io.packetparamedic.reflector.engine.StampPacket.MIN_ANSWERED_LENGTH;
import static io.packetparamedic.reflector.engine.StampPacket.RECEIVE_TIMESTAMP;
import static io.packetparamedic.reflector.engine.StampPacket.SENDER_ERROR_ESTIMATE;
import static io.packetparamedic.reflector.engine.StampPacket.SENDER_SEQUENCE;
import static io.packetparamedic.reflector.engine.StampPacket.SENDER_TIMESTAMP;
import static io.packetparamedic.reflector.engine.StampPacket.SENDER_TTL;
import static io.packetparamedic.reflector.engine.StampPacket.SEQUENCE;
import static io.packetparamedic.reflector.engine.StampPacket.SOFTWARE_ERROR_ESTIMATE;
import static io.packetparamedic.reflector.engine.StampPacket.TIMESTAMP;

import io.netty.buffer.ByteBuf;
import java.time.Clock;
import java.time.Instant;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * A stateful STAMP Session-Reflector for one session in unauthenticated mode (RFC 8762 section
 * 4.3, TLVs of RFC 8972 section 4), turning each test packet into its answer in place. The answer
 * is exactly as long as the test packet it answers (amplification factor 1). A TWAMP-Light
 * sender's packet of 41 to 43 octets gets the reflector packet cut at its length (TWAMP's reflector
 * packet ends with the TTL octet, offset 40); anything shorter is not answered at all.
 *
 * <p>Stateful: the reflector's Sequence Number counts the packets this session answered, from 0,
 * independently of the sender's, so a sender can tell forward from reverse loss. T2 is the
 * kernel's receive timestamp where the transport reports one (SO_TIMESTAMPNS), else the wall clock
 * when the datagram is handled; T3 is read just before the answer is handed to the socket. The
 * Session-Sender TTL octet is the received TTL / Hop Limit, or 255 where the transport cannot
 * read it.
 */
final class StampReflection implements UdpEchoEngine.Reflection {

    /** What the Session-Sender TTL octet says when the transport cannot read the IP TTL / Hop Limit. */
    static final int UNKNOWN_TTL = 255;

    private static final int MBZ_AFTER_ERROR_ESTIMATE = 38;

    private final Clock wallClock;
    private final LongSupplier nanoTime;
    private final LongConsumer residenceNanos;
    private int sequence;

    /**
     * @param residenceNanos told T3 - T2 of every answer: from the kernel's receive timestamp when
     *     there is one, else monotonic nanoseconds from handling the datagram
     */
    StampReflection(Clock wallClock, LongSupplier nanoTime, LongConsumer residenceNanos) {
        this.wallClock = wallClock;
        this.nanoTime = nanoTime;
        this.residenceNanos = residenceNanos;
    }

    @Override
    public int reflect(ByteBuf packet, int at, int length, Arrival arrival) {
        if (length < MIN_ANSWERED_LENGTH) return -1;
        long kernelNanos = arrival.kernelNanos();
        boolean kernelT2 = kernelNanos != Arrival.NO_TIMESTAMP;
        long handledAt = kernelT2 ? 0 : nanoTime.getAsLong();
        long t2 = kernelNanos != Arrival.NO_TIMESTAMP
                ? NtpTime.ofEpochNanos(kernelNanos)
                : NtpTime.of(wallClock.instant());
        // The sender's fields first: the reflector's fields overwrite the octets they sat in
        // (the SSID, offset 14, stays where it is).
        int senderSequence = packet.getInt(at + SEQUENCE);
        long senderTimestamp = packet.getLong(at + TIMESTAMP);
        short senderErrorEstimate = packet.getShort(at + ERROR_ESTIMATE);
        packet.setInt(at + SEQUENCE, sequence++);
        packet.setShort(at + ERROR_ESTIMATE, SOFTWARE_ERROR_ESTIMATE);
        packet.setLong(at + RECEIVE_TIMESTAMP, t2);
        packet.setInt(at + SENDER_SEQUENCE, senderSequence);
        packet.setLong(at + SENDER_TIMESTAMP, senderTimestamp);
        packet.setShort(at + SENDER_ERROR_ESTIMATE, senderErrorEstimate);
        packet.setShort(at + MBZ_AFTER_ERROR_ESTIMATE, 0);
        packet.setByte(at + SENDER_TTL, arrival.ttl() >= 0 ? arrival.ttl() : UNKNOWN_TTL);
        for (int mbz = SENDER_TTL + 1; mbz < Math.min(length, BASE_LENGTH); mbz++) {
            packet.setByte(at + mbz, 0);
        }
        if (length > BASE_LENGTH) {
            StampTlvs.reflect(packet, at + BASE_LENGTH, at + length, arrival);
        }
        Instant t3 = wallClock.instant();
        packet.setLong(at + TIMESTAMP, NtpTime.of(t3));
        residenceNanos.accept(
                kernelT2
                        ? Math.max(0, t3.getEpochSecond() * 1_000_000_000L + t3.getNano() - kernelNanos)
                        : nanoTime.getAsLong() - handledAt);
        return length;
    }
}
