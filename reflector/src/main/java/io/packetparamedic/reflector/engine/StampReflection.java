package io.packetparamedic.reflector.engine;

import static io.packetparamedic.reflector.engine.StampPacket.AUTH_BASE_LENGTH;
import static io.packetparamedic.reflector.engine.StampPacket.AUTH_ERROR_ESTIMATE;
import static io.packetparamedic.reflector.engine.StampPacket.AUTH_HMAC;
import static io.packetparamedic.reflector.engine.StampPacket.AUTH_RECEIVE_TIMESTAMP;
import static io.packetparamedic.reflector.engine.StampPacket.AUTH_SENDER_ERROR_ESTIMATE;
import static io.packetparamedic.reflector.engine.StampPacket.AUTH_SENDER_SEQUENCE;
import static io.packetparamedic.reflector.engine.StampPacket.AUTH_SENDER_TIMESTAMP;
import static io.packetparamedic.reflector.engine.StampPacket.AUTH_SENDER_TTL;
import static io.packetparamedic.reflector.engine.StampPacket.AUTH_SSID;
import static io.packetparamedic.reflector.engine.StampPacket.AUTH_TIMESTAMP;
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
import io.packetparamedic.reflector.metrics.DurationHistogram;
import java.time.Clock;
import java.time.Instant;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * A stateful STAMP Session-Reflector for one session, in unauthenticated mode (RFC 8762 section
 * 4.3.1) or, given the session's key, in authenticated mode (section 4.3.2); TLVs of RFC 8972
 * section 4. It turns each test packet into its answer in place, exactly as long as the test
 * packet (amplification factor 1). A TWAMP-Light sender's packet of 41 to 43 octets gets the
 * reflector packet cut at its length (TWAMP's reflector packet ends with the TTL octet, offset
 * 40); anything shorter is not answered at all.
 *
 * <p>Stateful: the reflector's Sequence Number counts the packets this session answered, from 0,
 * independently of the sender's, so a sender can tell forward from reverse loss. T2 is the
 * kernel's receive timestamp where the transport reports one (SO_TIMESTAMPNS), else the wall clock
 * when the datagram is handled; T3 is read just before the answer is handed to the socket. On the
 * native path an unauthenticated answer is made by libppdata's send (the same octets, see {@link
 * Arrival#reflectStampAtSend}), T3 read once per batch just before the sendmmsg. The
 * Session-Sender TTL octet is the received TTL / Hop Limit, or 255 where the transport cannot
 * read it.
 *
 * <p>Authenticated mode answers only test packets of at least 112 octets whose HMAC is right; any
 * other datagram is dropped and reported to {@code authFailures}, never answered, and does not
 * advance the reflector's Sequence Number. Every check runs on the packet as received, before a
 * single octet is rewritten; the answer's own HMACs are computed last.
 */
final class StampReflection implements UdpEchoEngine.Reflection {

    /** What the Session-Sender TTL octet says when the transport cannot read the IP TTL / Hop Limit. */
    static final int UNKNOWN_TTL = 255;

    private static final int MBZ_AFTER_ERROR_ESTIMATE = 38;

    private final Clock wallClock;
    private final LongSupplier nanoTime;
    private final LongConsumer residence;
    private final DurationHistogram nativeResidence;
    /** The session's key in authenticated mode; null in unauthenticated mode. */
    private final StampHmac hmac;

    private final Runnable authFailures;
    private int sequence;
    /** The packet being answered: its kernel receive timestamp, else when it was handled (monotonic). */
    private long kernelNanos;

    private long handledAt;

    /** Unauthenticated mode. */
    StampReflection(Clock wallClock, LongSupplier nanoTime, LongConsumer residenceNanos) {
        this(wallClock, nanoTime, residenceNanos, null, () -> {});
    }

    /**
     * @param residenceNanos told T3 - T2 of every answer: from the kernel's receive timestamp when
     *     there is one, else monotonic nanoseconds from handling the datagram
     * @param hmac the session's key for authenticated mode, or null for unauthenticated mode
     * @param authFailures told of every datagram dropped for failing authentication
     */
    StampReflection(
            Clock wallClock,
            LongSupplier nanoTime,
            LongConsumer residenceNanos,
            StampHmac hmac,
            Runnable authFailures) {
        this(wallClock, nanoTime, residenceNanos, null, hmac, authFailures);
    }

    /**
     * A session's reflection: every answer's T3 - T2 goes into {@code residence}, recorded here
     * or, for the answers the native path makes itself, by that path.
     */
    StampReflection(
            Clock wallClock,
            LongSupplier nanoTime,
            DurationHistogram residence,
            StampHmac hmac,
            Runnable authFailures) {
        this(wallClock, nanoTime, residence::record, residence, hmac, authFailures);
    }

    private StampReflection(
            Clock wallClock,
            LongSupplier nanoTime,
            LongConsumer residenceNanos,
            DurationHistogram nativeResidence,
            StampHmac hmac,
            Runnable authFailures) {
        this.wallClock = wallClock;
        this.nanoTime = nanoTime;
        this.residence = residenceNanos;
        this.nativeResidence = nativeResidence;
        this.hmac = hmac;
        this.authFailures = authFailures;
    }

    @Override
    public int reflect(ByteBuf packet, int at, int length, Arrival arrival) {
        return hmac == null ? unauthenticated(packet, at, length, arrival) : authenticated(packet, at, length, arrival);
    }

    private int unauthenticated(ByteBuf packet, int at, int length, Arrival arrival) {
        if (length < MIN_ANSWERED_LENGTH) return -1;
        if (arrival.kernelNanos() != Arrival.NO_TIMESTAMP && arrival.reflectsStampAtSend()) {
            // The native path makes this very answer in C just before the send, T3 included, and
            // records its residence time in residence().
            arrival.reflectStampAtSend(sequence++);
            return length;
        }
        long t2 = t2(arrival);
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
        packet.setByte(at + SENDER_TTL, ttl(arrival));
        for (int mbz = SENDER_TTL + 1; mbz < Math.min(length, BASE_LENGTH); mbz++) {
            packet.setByte(at + mbz, 0);
        }
        if (length > BASE_LENGTH) {
            StampTlvs.reflect(packet, at + BASE_LENGTH, at + length, arrival);
        }
        packet.setLong(at + TIMESTAMP, t3());
        return length;
    }

    private int authenticated(ByteBuf packet, int at, int length, Arrival arrival) {
        long t2 = t2(arrival);
        if (length < AUTH_BASE_LENGTH || !hmac.verifyBase(packet, at)) {
            authFailures.run();
            return -1;
        }
        int tlvs = at + AUTH_BASE_LENGTH;
        int end = at + length;
        // The TLVs' HMAC covers the sender's Sequence Number: checked before it is overwritten.
        int hmacTlv = StampTlvs.checkAuthenticated(packet, tlvs, end, at + SEQUENCE, hmac);
        int senderSequence = packet.getInt(at + SEQUENCE);
        long senderTimestamp = packet.getLong(at + AUTH_TIMESTAMP);
        short senderErrorEstimate = packet.getShort(at + AUTH_ERROR_ESTIMATE);
        int ssid = packet.getUnsignedShort(at + AUTH_SSID);
        packet.setZero(at, AUTH_HMAC);
        packet.setInt(at + SEQUENCE, sequence++);
        packet.setShort(at + AUTH_ERROR_ESTIMATE, SOFTWARE_ERROR_ESTIMATE);
        packet.setShort(at + AUTH_SSID, ssid);
        packet.setLong(at + AUTH_RECEIVE_TIMESTAMP, t2);
        packet.setInt(at + AUTH_SENDER_SEQUENCE, senderSequence);
        packet.setLong(at + AUTH_SENDER_TIMESTAMP, senderTimestamp);
        packet.setShort(at + AUTH_SENDER_ERROR_ESTIMATE, senderErrorEstimate);
        packet.setByte(at + AUTH_SENDER_TTL, ttl(arrival));
        if (length > AUTH_BASE_LENGTH) {
            StampTlvs.reflectAuthenticated(packet, tlvs, end, arrival, hmacTlv, at + SEQUENCE, hmac);
        }
        packet.setLong(at + AUTH_TIMESTAMP, t3());
        hmac.signBase(packet, at);
        return length;
    }

    @Override
    public DurationHistogram residence() {
        return nativeResidence;
    }

    private static int ttl(Arrival arrival) {
        return arrival.ttl() >= 0 ? arrival.ttl() : UNKNOWN_TTL;
    }

    /**
     * T2 of the packet being answered, in NTP format: the kernel's receive timestamp, else the wall
     * clock now. Remembers what {@link #t3} needs to report the residence time.
     */
    private long t2(Arrival arrival) {
        kernelNanos = arrival.kernelNanos();
        if (kernelNanos != Arrival.NO_TIMESTAMP) return NtpTime.ofEpochNanos(kernelNanos);
        handledAt = nanoTime.getAsLong();
        return NtpTime.of(wallClock.instant());
    }

    /** T3 in NTP format, read now; reports T3 - T2 of the packet being answered. */
    private long t3() {
        Instant t3 = wallClock.instant();
        residence.accept(
                kernelNanos != Arrival.NO_TIMESTAMP
                        ? Math.max(0, t3.getEpochSecond() * 1_000_000_000L + t3.getNano() - kernelNanos)
                        : nanoTime.getAsLong() - handledAt);
        return NtpTime.of(t3);
    }
}
