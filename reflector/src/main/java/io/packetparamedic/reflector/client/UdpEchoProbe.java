package io.packetparamedic.reflector.client;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import org.HdrHistogram.Histogram;

/**
 * Measures round trips through a UDP echo session: sends probes at a fixed interval, each carrying
 * a sequence number and its send time, and matches the echoes. Every probe ends as one of:
 * <ul>
 *   <li><b>received</b>: echoed within {@code late_after}; its RTT goes into the statistics;
 *   <li><b>late</b>: echoed, but after {@code late_after} (an application would have given up);
 *   <li><b>policed</b>: not echoed, and sent faster than the packet rate the reflector granted, so
 *       the reflector dropped it on purpose (see {@link PolicerModel}; counted per second of sending);
 *   <li><b>lost</b>: not echoed beyond what the rate explains: the network lost it.
 * </ul>
 * Echoes that differ from what was sent count as corrupted, not as answers. Jitter is RFC 3550's
 * interarrival jitter (J += (|D| - J) / 16) over the RTTs of received echoes, in arrival order.
 */
public final class UdpEchoProbe {

    static final int HEADER = 16;
    /** The largest UDP payload over IPv4. */
    public static final int MAX_SIZE = 65_507;

    public static final int MAX_COUNT = 1_000_000;
    private static final long MAX_TRACKED_MICROS = TimeUnit.SECONDS.toMicros(60);

    /** What to send; {@link #of} checks it. {@code packetRate} 0 means the grant named no rate. */
    public record Settings(int count, int intervalMicros, int size, long lateAfterMillis, long packetRate) {

        public static Settings of(int count, int intervalMs, int size, long lateAfterMillis) {
            if (count < 1 || count > MAX_COUNT) {
                throw new IllegalArgumentException("--count must be 1-" + MAX_COUNT + ", got " + count);
            }
            if (intervalMs < 1 || intervalMs > 60_000) {
                throw new IllegalArgumentException("--interval-ms must be 1-60000, got " + intervalMs);
            }
            if (size < HEADER || size > MAX_SIZE) {
                throw new IllegalArgumentException("--size must be " + HEADER + "-" + MAX_SIZE
                        + " bytes (a probe carries a 16-byte header; a UDP datagram holds at most " + MAX_SIZE
                        + "), got " + size);
            }
            if (lateAfterMillis < 1 || lateAfterMillis > 60_000) {
                throw new IllegalArgumentException("--late-after-ms must be 1-60000, got " + lateAfterMillis);
            }
            return new Settings(count, intervalMs * 1000, size, lateAfterMillis, 0);
        }

        public Settings withPacketRate(long rate) {
            return new Settings(count, intervalMicros, size, lateAfterMillis, rate);
        }

        /** Probes a second this sends. */
        public double probesPerSecond() {
            return 1e6 / intervalMicros;
        }

        /** Seconds from the first probe until the last echo can still count (late ones included). */
        public long spanSeconds() {
            return (long) Math.ceil(((double) count * intervalMicros / 1e6) + 2.0 * lateAfterMillis / 1000.0);
        }
    }

    /** Counts so far, for a live progress display; {@code missing} are probes older than late_after with no echo. */
    public record Live(
            double elapsedSec,
            int sent,
            int received,
            int late,
            int policed,
            int missing,
            double rttP50Ms,
            double rttMaxMs) {}

    /** One second of sending (probes grouped by send time). RTTs of received probes only; NaN when none. */
    public record Interval(
            double startSec,
            double endSec,
            int sent,
            int received,
            int late,
            int policed,
            int lost,
            double rttP50Ms,
            double rttP99Ms,
            double rttMaxMs) {}

    /** One received probe: when it was sent (seconds from the first probe) and its RTT. */
    public record Sample(double sentAtSec, double rttMs) {}

    /** Figures of one run; RTTs and jitter in milliseconds, percentages of probes sent. */
    public record Result(
            int sent,
            int received,
            int late,
            int policed,
            int lost,
            int corrupted,
            double lossPercent,
            double policedPercent,
            double latePercent,
            double rttMinMs,
            double rttAvgMs,
            double rttP50Ms,
            double rttP90Ms,
            double rttP99Ms,
            double rttMaxMs,
            double jitterMs,
            List<Interval> intervals,
            @com.fasterxml.jackson.annotation.JsonIgnore List<Sample> samples,
            @com.fasterxml.jackson.annotation.JsonIgnore Histogram histogram) {}

    public interface Listener {
        void live(Live soFar);
    }

    private final InetSocketAddress target;
    private final InetSocketAddress bind;

    public UdpEchoProbe(InetSocketAddress target) {
        this(target, null);
    }

    /** {@code bind} chooses the local address (e.g. to test the source check); null for any. */
    public UdpEchoProbe(InetSocketAddress target, InetSocketAddress bind) {
        this.target = target;
        this.bind = bind;
    }

    /**
     * The earlier form, kept for the session and e2e tests: {@code drainMillis} is the late
     * threshold, no packet rate, and {@code progress} gets the probes sent so far once a second.
     */
    public Result run(int count, int intervalMicros, int size, long drainMillis, IntConsumer progress)
            throws IOException, InterruptedException {
        return run(
                new Settings(count, intervalMicros, Math.max(HEADER, size), drainMillis, 0),
                progress == null ? null : live -> progress.accept(live.sent()));
    }

    /** Sends the probes, then waits for stragglers up to twice late_after (so late echoes are seen as late). */
    public Result run(Settings s, Listener listener) throws IOException, InterruptedException {
        Run run = new Run(s);
        try (DatagramChannel channel = DatagramChannel.open()) {
            channel.bind(bind);
            channel.connect(target);
            channel.configureBlocking(false);
            ByteBuffer out = ByteBuffer.allocate(s.size());
            ByteBuffer in = ByteBuffer.allocate(MAX_SIZE);
            PolicerModel policer = new PolicerModel(s.packetRate());
            run.start = System.nanoTime();
            long nextReport = run.start + TimeUnit.SECONDS.toNanos(1);
            for (int seq = 0; seq < s.count(); seq++) {
                long due = run.start + (long) seq * s.intervalMicros() * 1000L;
                long now;
                while ((now = System.nanoTime()) < due) {
                    run.drain(channel, in);
                    long waitNanos = due - now;
                    if (waitNanos > 200_000) TimeUnit.NANOSECONDS.sleep(Math.min(waitNanos - 100_000, 1_000_000));
                    else Thread.onSpinWait();
                }
                long sentAt = System.nanoTime();
                run.sentNanos[seq] = sentAt;
                run.conforming[seq] = policer.conforms(sentAt);
                fill(out, seq, sentAt, s.size());
                try {
                    channel.write(out);
                } catch (PortUnreachableException e) {
                    // ICMP from a closed port: the probe is lost, keep going
                }
                run.sent = seq + 1;
                run.drain(channel, in);
                if (listener != null && sentAt >= nextReport) {
                    listener.live(run.live(sentAt));
                    nextReport += TimeUnit.SECONDS.toNanos(1);
                }
            }
            long drainUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2 * s.lateAfterMillis());
            while (run.answered < s.count() && System.nanoTime() < drainUntil) {
                run.drain(channel, in);
                TimeUnit.MICROSECONDS.sleep(200);
            }
            if (listener != null) listener.live(run.live(System.nanoTime()));
        }
        return run.result();
    }

    private static void fill(ByteBuffer out, int seq, long sentNanos, int size) {
        out.clear();
        out.putLong(seq);
        out.putLong(sentNanos);
        // The rest is a pattern derived from seq, so an altered echo is detected.
        for (int i = HEADER; i < size; i++) out.put((byte) (seq * 31 + i));
        out.flip();
    }

    /** The state of one run: per-probe send times and RTTs (-1 until echoed). */
    private static final class Run {
        final Settings s;
        final long[] sentNanos;
        final long[] rttNanos;
        final boolean[] conforming;
        final long lateNanos;
        final Histogram histogram = new Histogram(MAX_TRACKED_MICROS, 3);
        long start;
        int sent;
        int answered;
        int late;
        int corrupted;
        double jitterNanos;
        long previousRtt = -1;

        Run(Settings s) {
            this.s = s;
            this.sentNanos = new long[s.count()];
            this.rttNanos = new long[s.count()];
            this.conforming = new boolean[s.count()];
            Arrays.fill(rttNanos, -1);
            this.lateNanos = TimeUnit.MILLISECONDS.toNanos(s.lateAfterMillis());
        }

        void drain(DatagramChannel channel, ByteBuffer in) throws IOException {
            while (true) {
                in.clear();
                int n;
                try {
                    n = channel.read(in);
                } catch (PortUnreachableException e) {
                    return;
                }
                if (n <= 0) return;
                long now = System.nanoTime();
                in.flip();
                int seq = intactSequence(in, n);
                if (seq < 0) {
                    corrupted++;
                } else if (rttNanos[seq] < 0 && sentNanos[seq] != 0) {
                    long rtt = now - sentNanos[seq];
                    rttNanos[seq] = rtt;
                    answered++;
                    if (rtt > lateNanos) {
                        late++;
                    } else {
                        histogram.recordValue(Math.min(MAX_TRACKED_MICROS, Math.max(1, rtt / 1000)));
                        if (previousRtt >= 0) jitterNanos += (Math.abs(rtt - previousRtt) - jitterNanos) / 16.0;
                        previousRtt = rtt;
                    }
                }
            }
        }

        /** The sequence number of an intact echo of one of our probes, or -1. */
        int intactSequence(ByteBuffer in, int n) {
            if (n != s.size()) return -1;
            long seq = in.getLong();
            long sentAt = in.getLong();
            if (seq < 0 || seq >= sent || sentNanos[(int) seq] != sentAt) return -1;
            for (int i = HEADER; i < n; i++) if (in.get() != (byte) (seq * 31 + i)) return -1;
            return (int) seq;
        }

        /**
         * Policed versus lost is decided by counts, not per probe: the model and the reflector
         * agree on how many probes of a stretch are over the rate, but not on which ones (a
         * microsecond's difference in timing shifts the phase). So of the probes without an echo,
         * as many as the model says were over the rate are policed, the rest lost.
         */
        Live live(long now) {
            int unanswered = 0;
            int overdue = 0;
            int overRate = 0;
            for (int i = 0; i < sent; i++) {
                if (!conforming[i]) overRate++;
                if (rttNanos[i] >= 0) continue;
                unanswered++;
                if (now - sentNanos[i] > lateNanos) overdue++;
            }
            int policed = Math.min(unanswered, overRate);
            return new Live(
                    (now - start) / 1e9,
                    sent,
                    answered - late,
                    late,
                    policed,
                    Math.max(0, overdue - policed),
                    ms(histogram.getValueAtPercentile(50) * 1000),
                    ms(histogram.getMaxValue() * 1000));
        }

        Result result() {
            List<Sample> samples = new ArrayList<>(answered);
            for (int i = 0; i < sent; i++) {
                if (rttNanos[i] >= 0 && rttNanos[i] <= lateNanos) {
                    samples.add(new Sample((sentNanos[i] - start) / 1e9, ms(rttNanos[i])));
                }
            }
            List<Interval> intervals = intervals();
            int policed = intervals.stream().mapToInt(Interval::policed).sum();
            int lost = intervals.stream().mapToInt(Interval::lost).sum();
            int received = answered - late;
            boolean any = histogram.getTotalCount() > 0;
            return new Result(
                    sent,
                    received,
                    late,
                    policed,
                    lost,
                    corrupted,
                    percent(lost),
                    percent(policed),
                    percent(late),
                    any ? micros(histogram.getMinValue()) : Double.NaN,
                    any ? histogram.getMean() / 1000.0 : Double.NaN,
                    percentileMs(histogram, 50),
                    percentileMs(histogram, 90),
                    percentileMs(histogram, 99),
                    any ? micros(histogram.getMaxValue()) : Double.NaN,
                    jitterNanos / 1e6,
                    intervals,
                    samples,
                    histogram);
        }

        /** One interval per second of sending; policed and lost split by counts within it (see {@link #live}). */
        private List<Interval> intervals() {
            List<Interval> out = new ArrayList<>();
            int i = 0;
            for (int second = 0; i < sent; second++) {
                long end = start + TimeUnit.SECONDS.toNanos(second + 1L);
                Histogram h = new Histogram(MAX_TRACKED_MICROS, 3);
                int n = 0;
                int received = 0;
                int lateHere = 0;
                int unanswered = 0;
                int overRate = 0;
                for (; i < sent && sentNanos[i] < end; i++, n++) {
                    long rtt = rttNanos[i];
                    if (!conforming[i]) overRate++;
                    if (rtt < 0) {
                        unanswered++;
                    } else if (rtt > lateNanos) {
                        lateHere++;
                    } else {
                        received++;
                        h.recordValue(Math.min(MAX_TRACKED_MICROS, Math.max(1, rtt / 1000)));
                    }
                }
                if (n == 0) continue;
                int policed = Math.min(unanswered, overRate);
                out.add(new Interval(
                        second,
                        second + 1,
                        n,
                        received,
                        lateHere,
                        policed,
                        unanswered - policed,
                        percentileMs(h, 50),
                        percentileMs(h, 99),
                        h.getTotalCount() == 0 ? Double.NaN : micros(h.getMaxValue())));
            }
            return out;
        }

        private double percent(int n) {
            return sent == 0 ? 0 : 100.0 * n / sent;
        }
    }

    static double percentileMs(Histogram h, double p) {
        return h.getTotalCount() == 0 ? Double.NaN : micros(h.getValueAtPercentile(p));
    }

    private static double micros(long micros) {
        return micros / 1000.0;
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
