package io.packetparamedic.reflector.client;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.Arrays;
import java.util.BitSet;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/**
 * Measures round trips through a UDP echo session: sends {@code count} probes at a fixed interval,
 * each carrying a sequence number and its send time, and matches the echoes. Reports loss, RTT
 * min/avg/p50/p99 and jitter (mean absolute difference of consecutive RTTs, as RFC 3550 does for
 * transit times). Echoes that differ from what was sent count as corrupted, not as answers.
 */
public final class UdpEchoProbe {

    private static final int HEADER = 16;

    /** Figures of one probe run; RTTs in milliseconds. */
    public record Result(int sent, int received, int corrupted, double lossPercent, double rttMinMs, double rttAvgMs,
            double rttP50Ms, double rttP99Ms, double jitterMs) {}

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
     * Sends the probes and waits {@code drainMillis} after the last one for stragglers.
     *
     * @param progress gets the number of probes sent so far, every 10 % (may be null)
     */
    public Result run(int count, int intervalMicros, int size, long drainMillis, IntConsumer progress)
            throws IOException, InterruptedException {
        int payload = Math.max(HEADER, size);
        long[] rttNanos = new long[count];
        Arrays.fill(rttNanos, -1);
        BitSet seen = new BitSet(count);
        int corrupted = 0;
        try (DatagramChannel channel = DatagramChannel.open()) {
            channel.bind(bind);
            channel.connect(target);
            channel.configureBlocking(false);
            ByteBuffer out = ByteBuffer.allocate(payload);
            ByteBuffer in = ByteBuffer.allocate(65_536);
            long start = System.nanoTime();
            int step = Math.max(1, count / 10);
            for (int seq = 0; seq < count; seq++) {
                long due = start + (long) seq * intervalMicros * 1000L;
                long now;
                while ((now = System.nanoTime()) < due) {
                    corrupted += drain(channel, in, rttNanos, seen, payload);
                    long waitNanos = due - now;
                    if (waitNanos > 200_000) TimeUnit.NANOSECONDS.sleep(Math.min(waitNanos - 100_000, 1_000_000));
                    else Thread.onSpinWait();
                }
                fill(out, seq, System.nanoTime(), payload);
                try {
                    channel.write(out);
                } catch (java.net.PortUnreachableException e) {
                    // ICMP from a closed port: the probe is lost, keep going
                }
                if (progress != null && (seq + 1) % step == 0) progress.accept(seq + 1);
                corrupted += drain(channel, in, rttNanos, seen, payload);
            }
            long drainUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(drainMillis);
            while (seen.cardinality() < count && System.nanoTime() < drainUntil) {
                corrupted += drain(channel, in, rttNanos, seen, payload);
                TimeUnit.MICROSECONDS.sleep(200);
            }
        }
        return summarize(count, rttNanos, seen, corrupted);
    }

    private static void fill(ByteBuffer out, int seq, long sentNanos, int payload) {
        out.clear();
        out.putLong(seq);
        out.putLong(sentNanos);
        // The rest is a pattern derived from seq, so an altered echo is detected.
        for (int i = HEADER; i < payload; i++) out.put((byte) (seq * 31 + i));
        out.flip();
    }

    private static int drain(DatagramChannel channel, ByteBuffer in, long[] rtt, BitSet seen, int payload)
            throws IOException {
        int corrupted = 0;
        while (true) {
            in.clear();
            int n;
            try {
                n = channel.read(in);
            } catch (java.net.PortUnreachableException | SocketTimeoutException e) {
                return corrupted;
            }
            if (n <= 0) return corrupted;
            long now = System.nanoTime();
            in.flip();
            if (n != payload) {
                corrupted++;
                continue;
            }
            long seq = in.getLong();
            long sent = in.getLong();
            boolean intact = seq >= 0 && seq < rtt.length;
            for (int i = HEADER; intact && i < payload; i++) intact = in.get() == (byte) (seq * 31 + i);
            if (!intact) {
                corrupted++;
                continue;
            }
            if (!seen.get((int) seq)) {
                seen.set((int) seq);
                rtt[(int) seq] = now - sent;
            }
        }
    }

    static Result summarize(int count, long[] rttNanos, BitSet seen, int corrupted) {
        int received = seen.cardinality();
        double loss = count == 0 ? 0 : 100.0 * (count - received) / count;
        if (received == 0) return new Result(count, 0, corrupted, loss, 0, 0, 0, 0, 0);
        long[] ordered = new long[received];
        double jitterSum = 0;
        int jitterPairs = 0;
        long previous = -1;
        int k = 0;
        for (int i = 0; i < count; i++) {
            if (rttNanos[i] < 0) continue;
            ordered[k++] = rttNanos[i];
            if (previous >= 0) {
                jitterSum += Math.abs(rttNanos[i] - previous);
                jitterPairs++;
            }
            previous = rttNanos[i];
        }
        long[] sorted = ordered.clone();
        Arrays.sort(sorted);
        double avg = Arrays.stream(sorted).average().orElse(0);
        return new Result(count, received, corrupted, loss, ms(sorted[0]), avg / 1e6, ms(percentile(sorted, 50)),
                ms(percentile(sorted, 99)), jitterPairs == 0 ? 0 : jitterSum / jitterPairs / 1e6);
    }

    static long percentile(long[] sorted, double p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
