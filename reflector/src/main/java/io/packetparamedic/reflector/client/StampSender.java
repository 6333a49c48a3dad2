package io.packetparamedic.reflector.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.packetparamedic.reflector.engine.NtpTime;
import io.packetparamedic.reflector.engine.StampHmac;
import io.packetparamedic.reflector.engine.StampPacket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * An RFC 8762 Session-Sender, in unauthenticated mode or, given the session's key, in authenticated
 * mode: sends numbered STAMP test packets at a fixed interval, each with a Timestamp Information
 * TLV and, if asked, an Extra Padding TLV (RFC 8972; the sender's TLVs carry the U flag, as section
 * 4 asks, so a reflector that does not know them is recognizable), and matches the reflected
 * packets by sequence number and Session ID. In authenticated mode every test packet carries the
 * base HMAC (RFC 8762 section 4.2.2) and an HMAC TLV after its other TLVs (RFC 8972 section 4.8),
 * and an answer counts only when both of its HMACs verify; the others are counted as HMAC failures.
 *
 * <p>From T1 (sent), T2 (reflector received), T3 (reflector sent) and T4 (received back) it
 * derives the round trip without the reflector's residence, (T4 - T1) - (T3 - T2), which needs no
 * clock agreement, and the forward (T2 - T1) and backward (T4 - T3) delays, which include the
 * offset between the two clocks ("one-way-ish": exact only when both clocks agree). A reflected
 * packet that is not exactly as long as the test packet, names another session or an unknown or
 * already answered sequence number counts as invalid, not as an answer.
 */
public final class StampSender {

    public static final int MAX_COUNT = 100_000;
    /** Extra Padding a test packet may carry: the packet stays within a 1500-byte IPv4 path. */
    public static final int MAX_PADDING = 1_400;

    private static final int TIMESTAMP_INFO_TLV = StampPacket.TLV_HEADER + 4;
    private static final int HMAC_TLV = StampPacket.TLV_HEADER + StampPacket.HMAC_LENGTH;
    /** Flags of every TLV a sender sends (RFC 8972 section 4): U set, M and I clear. */
    private static final byte SENDER_TLV_FLAGS = (byte) StampPacket.FLAG_U;

    private static final long MAX_TRACKED_MICROS = TimeUnit.SECONDS.toMicros(60);

    /** What to send; {@link #of} checks it. */
    public record Settings(int count, int intervalMillis, int paddingBytes, long waitMillis, boolean authenticated) {

        /** Unauthenticated mode. */
        public static Settings of(int count, int intervalMillis, int paddingBytes, long waitMillis) {
            return of(count, intervalMillis, paddingBytes, waitMillis, false);
        }

        public static Settings of(
                int count, int intervalMillis, int paddingBytes, long waitMillis, boolean authenticated) {
            if (count < 1 || count > MAX_COUNT) {
                throw new IllegalArgumentException("--count must be 1-" + MAX_COUNT + ", got " + count);
            }
            if (intervalMillis < 1 || intervalMillis > 60_000) {
                throw new IllegalArgumentException("--interval-ms must be 1-60000, got " + intervalMillis);
            }
            if (paddingBytes < 0 || paddingBytes > MAX_PADDING) {
                throw new IllegalArgumentException(
                        "--padding must be 0-" + MAX_PADDING + " octets, got " + paddingBytes);
            }
            if (waitMillis < 1 || waitMillis > 60_000) {
                throw new IllegalArgumentException("--wait-ms must be 1-60000, got " + waitMillis);
            }
            return new Settings(count, intervalMillis, paddingBytes, waitMillis, authenticated);
        }

        /**
         * Octets of each test packet: the base packet, Timestamp Information, Extra Padding if any
         * and, authenticated, the HMAC TLV.
         */
        public int packetLength() {
            int padding = paddingBytes == 0 ? 0 : StampPacket.TLV_HEADER + paddingBytes;
            return authenticated
                    ? StampPacket.AUTH_BASE_LENGTH + TIMESTAMP_INFO_TLV + padding + HMAC_TLV
                    : StampPacket.BASE_LENGTH + TIMESTAMP_INFO_TLV + padding;
        }

        /** Seconds of session this needs: the packets, the wait for the last answer, one of slack. */
        public int sessionSeconds() {
            return (int) Math.ceil(((double) count * intervalMillis + waitMillis) / 1000.0) + 1;
        }
    }

    /**
     * Figures of one run; delays in milliseconds (NaN with no answer), residence in microseconds.
     * {@code reflectorSync} and {@code reflectorTimestamps} are the reflector's half of the
     * Timestamp Information TLV of the last answer (RFC 8972 codes; -1 with no answer). {@code
     * hmacFailures} counts answers dropped because an HMAC did not verify (authenticated mode), and
     * {@code tlvsIntegrityFlagged} the TLVs the reflector flagged I (its check of our HMAC TLV failed).
     */
    public record Result(
            int sent,
            int received,
            int invalid,
            double lossPercent,
            double rttMinMs,
            double rttP50Ms,
            double rttP99Ms,
            double rttMaxMs,
            double forwardP50Ms,
            double backwardP50Ms,
            double residenceMaxMicros,
            long reflectorPacketsCounted,
            int reflectorSync,
            int reflectorTimestamps,
            int tlvsUnrecognized,
            int tlvsMalformed,
            boolean authenticated,
            int hmacFailures,
            int tlvsIntegrityFlagged) {}

    /** Where the fields an answer is read by sit, in either mode (RFC 8762 sections 4.3.1 and 4.3.2). */
    private record Layout(int base, int ssid, int t3, int t2, int senderSequence, int senderTimestamp) {
        static final Layout UNAUTHENTICATED = new Layout(
                StampPacket.BASE_LENGTH,
                StampPacket.SSID,
                StampPacket.TIMESTAMP,
                StampPacket.RECEIVE_TIMESTAMP,
                StampPacket.SENDER_SEQUENCE,
                StampPacket.SENDER_TIMESTAMP);
        static final Layout AUTHENTICATED = new Layout(
                StampPacket.AUTH_BASE_LENGTH,
                StampPacket.AUTH_SSID,
                StampPacket.AUTH_TIMESTAMP,
                StampPacket.AUTH_RECEIVE_TIMESTAMP,
                StampPacket.AUTH_SENDER_SEQUENCE,
                StampPacket.AUTH_SENDER_TIMESTAMP);
    }

    private final InetSocketAddress target;
    private final Clock clock;
    /** The session's key in authenticated mode, else null. */
    private final StampHmac hmac;

    /** An unauthenticated Session-Sender. */
    public StampSender(InetSocketAddress target) {
        this(target, Clock.systemUTC(), null);
    }

    /** A Session-Sender in authenticated mode with the session's key ({@link StampHmac#forSession}). */
    public StampSender(InetSocketAddress target, StampHmac hmac) {
        this(target, Clock.systemUTC(), hmac);
    }

    StampSender(InetSocketAddress target, Clock clock, StampHmac hmac) {
        this.target = target;
        this.clock = clock;
        this.hmac = hmac;
    }

    /** Sends the test packets, then waits up to {@code waitMillis} for answers still on their way. */
    public Result run(Settings s) throws IOException {
        if (s.authenticated() != (hmac != null)) {
            throw new IllegalArgumentException("authenticated settings need a session key, and only they");
        }
        Tally tally = new Tally(s);
        try (DatagramChannel channel = DatagramChannel.open();
                Selector selector = Selector.open()) {
            channel.connect(target);
            channel.configureBlocking(false);
            channel.register(selector, SelectionKey.OP_READ);
            ByteBuffer out = ByteBuffer.allocate(s.packetLength());
            ByteBuffer in = ByteBuffer.allocate(s.packetLength() + 1);
            long start = System.nanoTime();
            for (int seq = 0; seq < s.count(); seq++) {
                tally.awaitAnswersUntil(
                        channel, selector, in, start + TimeUnit.MILLISECONDS.toNanos((long) seq * s.intervalMillis()));
                tally.t1[seq] = NtpTime.of(clock.instant());
                if (hmac == null) {
                    writeTestPacket(out, seq, tally.t1[seq], tally.ssid, s.paddingBytes());
                } else {
                    writeAuthenticatedTestPacket(out, seq, tally.t1[seq], tally.ssid, s.paddingBytes(), hmac);
                }
                try {
                    channel.write(out);
                } catch (PortUnreachableException e) {
                    // ICMP from a closed port: this packet is lost; the run goes on
                }
                tally.sent = seq + 1;
            }
            long lastSent = System.nanoTime();
            long giveUp = lastSent + TimeUnit.MILLISECONDS.toNanos(s.waitMillis());
            while (tally.received < tally.sent && System.nanoTime() < giveUp) {
                tally.awaitAnswersUntil(channel, selector, in, Math.min(giveUp, System.nanoTime() + 10_000_000L));
            }
        }
        return tally.result();
    }

    /** A test packet as RFC 8762 section 4.2.1 and RFC 8972 lay it out. */
    static void writeTestPacket(ByteBuffer out, int seq, long t1, int ssid, int paddingBytes) {
        out.clear();
        out.putInt(seq);
        out.putLong(t1);
        out.putShort(StampPacket.SOFTWARE_ERROR_ESTIMATE);
        out.putShort((short) ssid);
        out.put(new byte[StampPacket.BASE_LENGTH - out.position()]);
        writeTlvs(out, paddingBytes);
        out.flip();
    }

    /**
     * A test packet in authenticated mode (RFC 8762 section 4.2.2, SSID as RFC 8972 section 3
     * places it): its TLVs end with the HMAC TLV over the Sequence Number and the TLVs before it,
     * and the base HMAC over the first 96 octets is written last.
     */
    static void writeAuthenticatedTestPacket(
            ByteBuffer out, int seq, long t1, int ssid, int paddingBytes, StampHmac hmac) {
        out.clear();
        out.putInt(seq);
        out.put(new byte[StampPacket.AUTH_TIMESTAMP - out.position()]);
        out.putLong(t1);
        out.putShort(StampPacket.SOFTWARE_ERROR_ESTIMATE);
        out.putShort((short) ssid);
        out.put(new byte[StampPacket.AUTH_BASE_LENGTH - out.position()]);
        writeTlvs(out, paddingBytes);
        int hmacTlv = out.position();
        out.put(SENDER_TLV_FLAGS).put((byte) StampPacket.TYPE_HMAC).putShort((short) StampPacket.HMAC_LENGTH);
        out.put(new byte[StampPacket.HMAC_LENGTH]);
        out.flip();
        ByteBuf packet = Unpooled.wrappedBuffer(out);
        hmac.signTlvs(
                packet, StampPacket.SEQUENCE, StampPacket.AUTH_BASE_LENGTH, hmacTlv, hmacTlv + StampPacket.TLV_HEADER);
        hmac.signBase(packet, 0);
    }

    /**
     * Timestamp Information, then Extra Padding if asked. The Timestamp Information value goes out
     * as zeros: all four fields describe the reflector's clocks (RFC 8972 section 4.3), which it
     * fills in.
     */
    private static void writeTlvs(ByteBuffer out, int paddingBytes) {
        out.put(SENDER_TLV_FLAGS).put((byte) StampPacket.TYPE_TIMESTAMP_INFO).putShort((short) 4);
        out.putInt(0);
        if (paddingBytes > 0) {
            out.put(SENDER_TLV_FLAGS).put((byte) StampPacket.TYPE_EXTRA_PADDING).putShort((short) paddingBytes);
            out.put(new byte[paddingBytes]);
        }
    }

    private static Duration between(long fromNtp, long toNtp) {
        return Duration.between(NtpTime.toInstant(fromNtp), NtpTime.toInstant(toNtp));
    }

    /** The state of one run: what was sent, what came back. */
    private final class Tally {
        final Settings settings;
        final Layout layout;
        final int ssid = 1 + ThreadLocalRandom.current().nextInt(0xFFFF);
        final long[] t1;
        final boolean[] answered;
        final Histogram rtt = new Histogram(MAX_TRACKED_MICROS, 3);
        final Histogram forward = new Histogram(MAX_TRACKED_MICROS, 3);
        final Histogram backward = new Histogram(MAX_TRACKED_MICROS, 3);
        int sent;
        int received;
        int invalid;
        long residenceMaxNanos;
        long reflectorSequenceMax = -1;
        int reflectorSync = -1;
        int reflectorTimestamps = -1;
        int unrecognized;
        int malformed;
        int hmacFailures;
        int integrityFlagged;

        Tally(Settings settings) {
            this.settings = settings;
            this.layout = settings.authenticated() ? Layout.AUTHENTICATED : Layout.UNAUTHENTICATED;
            this.t1 = new long[settings.count()];
            this.answered = new boolean[settings.count()];
        }

        /** Takes answers as they arrive until {@code deadline} (System.nanoTime). */
        void awaitAnswersUntil(DatagramChannel channel, Selector selector, ByteBuffer in, long deadline)
                throws IOException {
            while (true) {
                readAll(channel, in);
                long left = deadline - System.nanoTime();
                if (left <= 0) return;
                long millis = TimeUnit.NANOSECONDS.toMillis(left);
                if (millis == 0) {
                    Thread.onSpinWait();
                } else {
                    selector.select(millis);
                    selector.selectedKeys().clear();
                }
            }
        }

        private void readAll(DatagramChannel channel, ByteBuffer in) throws IOException {
            while (true) {
                in.clear();
                try {
                    if (channel.read(in) <= 0) return;
                } catch (PortUnreachableException e) {
                    continue;
                }
                long t4 = NtpTime.of(clock.instant());
                in.flip();
                take(in, t4);
            }
        }

        private void take(ByteBuffer p, long t4) {
            if (p.remaining() != settings.packetLength()) {
                invalid++;
                return;
            }
            if (hmac != null && !authentic(p)) {
                hmacFailures++;
                return;
            }
            int seq = p.getInt(layout.senderSequence());
            if ((p.getShort(layout.ssid()) & 0xFFFF) != ssid
                    || seq < 0
                    || seq >= sent
                    || answered[seq]
                    || p.getLong(layout.senderTimestamp()) != t1[seq]) {
                invalid++;
                return;
            }
            answered[seq] = true;
            received++;
            long t2 = p.getLong(layout.t2());
            long t3 = p.getLong(layout.t3());
            Duration residence = between(t2, t3);
            Duration roundTrip = between(t1[seq], t4).minus(residence);
            rtt.recordValue(clamp(roundTrip));
            forward.recordValue(clamp(between(t1[seq], t2)));
            backward.recordValue(clamp(between(t3, t4)));
            residenceMaxNanos = Math.max(residenceMaxNanos, residence.toNanos());
            reflectorSequenceMax = Math.max(reflectorSequenceMax, p.getInt(StampPacket.SEQUENCE) & 0xFFFF_FFFFL);
            readTlvs(p);
        }

        /**
         * Whether the answer's base HMAC and, where the reflector kept it unflagged, its HMAC TLV
         * verify. The TLV HMAC is the last TLV we sent, at the same place in the answer.
         */
        private boolean authentic(ByteBuffer p) {
            ByteBuf answer = Unpooled.wrappedBuffer(p.duplicate());
            if (!hmac.verifyBase(answer, answer.readerIndex())) return false;
            int hmacTlv = settings.packetLength() - HMAC_TLV;
            if ((p.get(hmacTlv) & StampPacket.FLAG_I) != 0) return true; // counted by readTlvs
            return hmac.verifyTlvs(
                    answer, 0, answer, StampPacket.AUTH_BASE_LENGTH, hmacTlv, hmacTlv + StampPacket.TLV_HEADER);
        }

        private void readTlvs(ByteBuffer p) {
            int at = layout.base();
            while (at + StampPacket.TLV_HEADER <= p.limit()) {
                int flags = p.get(at) & 0xFF;
                int type = p.get(at + 1) & 0xFF;
                int length = p.getShort(at + 2) & 0xFFFF;
                if ((flags & StampPacket.FLAG_U) != 0) unrecognized++;
                if ((flags & StampPacket.FLAG_M) != 0) malformed++;
                if ((flags & StampPacket.FLAG_I) != 0) integrityFlagged++;
                if (type == StampPacket.TYPE_TIMESTAMP_INFO && length == 4 && at + 8 <= p.limit()) {
                    reflectorSync = p.get(at + 6) & 0xFF;
                    reflectorTimestamps = p.get(at + 7) & 0xFF;
                }
                at += StampPacket.TLV_HEADER + length;
            }
        }

        /** Microseconds for the histograms: a negative one-way figure (clock offset) counts as 0. */
        private long clamp(Duration d) {
            return Math.min(MAX_TRACKED_MICROS, Math.max(0, d.toNanos() / 1000));
        }

        Result result() {
            boolean any = received > 0;
            return new Result(
                    sent,
                    received,
                    invalid,
                    sent == 0 ? 0 : 100.0 * (sent - received) / sent,
                    any ? rtt.getMinValue() / 1000.0 : Double.NaN,
                    any ? rtt.getValueAtPercentile(50) / 1000.0 : Double.NaN,
                    any ? rtt.getValueAtPercentile(99) / 1000.0 : Double.NaN,
                    any ? rtt.getMaxValue() / 1000.0 : Double.NaN,
                    any ? forward.getValueAtPercentile(50) / 1000.0 : Double.NaN,
                    any ? backward.getValueAtPercentile(50) / 1000.0 : Double.NaN,
                    residenceMaxNanos / 1000.0,
                    reflectorSequenceMax + 1,
                    reflectorSync,
                    reflectorTimestamps,
                    unrecognized,
                    malformed,
                    settings.authenticated(),
                    hmacFailures,
                    integrityFlagged);
        }
    }
}
