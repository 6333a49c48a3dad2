package io.packetparamedic.reflector.client;

import io.packetparamedic.reflector.engine.NtpTime;
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
 * An RFC 8762 Session-Sender in unauthenticated mode: sends numbered STAMP test packets at a fixed
 * interval, each with a Timestamp Information TLV and, if asked, an Extra Padding TLV (RFC 8972),
 * and matches the reflected packets by sequence number and Session ID.
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
    private static final long MAX_TRACKED_MICROS = TimeUnit.SECONDS.toMicros(60);

    /** What to send; {@link #of} checks it. */
    public record Settings(int count, int intervalMillis, int paddingBytes, long waitMillis) {

        public static Settings of(int count, int intervalMillis, int paddingBytes, long waitMillis) {
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
            return new Settings(count, intervalMillis, paddingBytes, waitMillis);
        }

        /** Octets of each test packet: the base packet, Timestamp Information, Extra Padding if any. */
        public int packetLength() {
            int padding = paddingBytes == 0 ? 0 : StampPacket.TLV_HEADER + paddingBytes;
            return StampPacket.BASE_LENGTH + TIMESTAMP_INFO_TLV + padding;
        }

        /** Seconds of session this needs: the packets, the wait for the last answer, one of slack. */
        public int sessionSeconds() {
            return (int) Math.ceil(((double) count * intervalMillis + waitMillis) / 1000.0) + 1;
        }
    }

    /**
     * Figures of one run; delays in milliseconds (NaN with no answer), residence in microseconds.
     * {@code reflectorSync} and {@code reflectorTimestamps} are the reflector's half of the
     * Timestamp Information TLV of the last answer (RFC 8972 codes; -1 with no answer).
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
            int tlvsMalformed) {}

    private final InetSocketAddress target;
    private final Clock clock;

    public StampSender(InetSocketAddress target) {
        this(target, Clock.systemUTC());
    }

    StampSender(InetSocketAddress target, Clock clock) {
        this.target = target;
        this.clock = clock;
    }

    /** Sends the test packets, then waits up to {@code waitMillis} for answers still on their way. */
    public Result run(Settings s) throws IOException {
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
                writeTestPacket(out, seq, tally.t1[seq], tally.ssid, s.paddingBytes());
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

    /** A test packet as RFC 8762 section 4.2.1 and RFC 8972 lay it out; the flags of every TLV are 0. */
    static void writeTestPacket(ByteBuffer out, int seq, long t1, int ssid, int paddingBytes) {
        out.clear();
        out.putInt(seq);
        out.putLong(t1);
        out.putShort(StampPacket.SOFTWARE_ERROR_ESTIMATE);
        out.putShort((short) ssid);
        out.put(new byte[StampPacket.BASE_LENGTH - out.position()]);
        out.put((byte) 0).put((byte) StampPacket.TYPE_TIMESTAMP_INFO).putShort((short) 4);
        out.put((byte) StampPacket.SYNC_SOURCE_LOCAL_FREE_RUNNING)
                .put((byte) StampPacket.TIMESTAMP_METHOD_SW_LOCAL)
                .put((byte) 0)
                .put((byte) 0);
        if (paddingBytes > 0) {
            out.put((byte) 0).put((byte) StampPacket.TYPE_EXTRA_PADDING).putShort((short) paddingBytes);
            out.put(new byte[paddingBytes]);
        }
        out.flip();
    }

    private static Duration between(long fromNtp, long toNtp) {
        return Duration.between(NtpTime.toInstant(fromNtp), NtpTime.toInstant(toNtp));
    }

    /** The state of one run: what was sent, what came back. */
    private final class Tally {
        final Settings settings;
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

        Tally(Settings settings) {
            this.settings = settings;
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
            int seq = p.remaining() >= StampPacket.BASE_LENGTH ? p.getInt(StampPacket.SENDER_SEQUENCE) : -1;
            if (p.remaining() != settings.packetLength()
                    || (p.getShort(StampPacket.SSID) & 0xFFFF) != ssid
                    || seq < 0
                    || seq >= sent
                    || answered[seq]
                    || p.getLong(StampPacket.SENDER_TIMESTAMP) != t1[seq]) {
                invalid++;
                return;
            }
            answered[seq] = true;
            received++;
            long t2 = p.getLong(StampPacket.RECEIVE_TIMESTAMP);
            long t3 = p.getLong(StampPacket.TIMESTAMP);
            Duration residence = between(t2, t3);
            Duration roundTrip = between(t1[seq], t4).minus(residence);
            rtt.recordValue(clamp(roundTrip));
            forward.recordValue(clamp(between(t1[seq], t2)));
            backward.recordValue(clamp(between(t3, t4)));
            residenceMaxNanos = Math.max(residenceMaxNanos, residence.toNanos());
            reflectorSequenceMax = Math.max(reflectorSequenceMax, p.getInt(StampPacket.SEQUENCE) & 0xFFFF_FFFFL);
            readTlvs(p);
        }

        private void readTlvs(ByteBuffer p) {
            int at = StampPacket.BASE_LENGTH;
            while (at + StampPacket.TLV_HEADER <= p.limit()) {
                int flags = p.get(at) & 0xFF;
                int type = p.get(at + 1) & 0xFF;
                int length = p.getShort(at + 2) & 0xFFFF;
                if ((flags & StampPacket.FLAG_U) != 0) unrecognized++;
                if ((flags & StampPacket.FLAG_M) != 0) malformed++;
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
                    malformed);
        }
    }
}
