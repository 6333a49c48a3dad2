package io.packetparamedic.reflector.metrics;

import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Unit;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A histogram of durations with fixed bucket bounds, cheap enough to record from a data path's
 * per-packet loop (a search over the bounds and two uncontended atomic adds; no clock read, no
 * allocation), where a Micrometer percentile Timer costs several times the reflection itself, or
 * from native code through a {@link Recorder} (plain increments in a direct buffer). It
 * is scraped as a Prometheus classic histogram in seconds ({@code _bucket}, {@code _count}, {@code
 * _sum}); a registry other than Prometheus gets its count and total as a {@link FunctionTimer}.
 *
 * <p>The bounds are dense between 1 µs and 1 ms, where a reflector's residence times fall, so that
 * a percentile read from the buckets is within a few microseconds there.
 */
public final class DurationHistogram {

    /** Upper bounds of the buckets in nanoseconds, ascending; a last bucket takes everything above. */
    static final long[] BOUNDS_NANOS = {
        1_000,
        2_000,
        3_000,
        5_000,
        7_500,
        10_000,
        15_000,
        20_000,
        25_000,
        30_000,
        40_000,
        50_000,
        60_000,
        75_000,
        100_000,
        150_000,
        200_000,
        300_000,
        500_000,
        750_000,
        1_000_000,
        2_000_000,
        5_000_000,
        10_000_000,
        25_000_000,
        50_000_000,
        100_000_000,
        250_000_000,
        1_000_000_000
    };

    private final String name;
    private final String description;
    /** Per bucket, not cumulative; the last one counts what lies above every bound. */
    private final AtomicLongArray counts = new AtomicLongArray(BOUNDS_NANOS.length + 1);

    private final AtomicLong sumNanos = new AtomicLong();
    /** Open native recorders; guards folding them in against a snapshot. */
    private final List<Recorder> recorders = new ArrayList<>();
    /** The registries this histogram is exported through (a Prometheus registry refuses a name twice). */
    private final Set<MeterRegistry> boundTo = Collections.newSetFromMap(new IdentityHashMap<>());

    /**
     * @param name the meter's name in Micrometer's dotted form ({@code reflector.stamp.residence}),
     *     scraped as {@code reflector_stamp_residence_seconds}
     */
    public DurationHistogram(String name, String description) {
        this.name = name;
        this.description = description;
    }

    /** Counts one duration; a negative one counts as zero. */
    public void record(long nanos) {
        long value = Math.max(0, nanos);
        int i = Arrays.binarySearch(BOUNDS_NANOS, value);
        counts.incrementAndGet(i >= 0 ? i : -i - 1);
        sumNanos.addAndGet(value);
    }

    /** What has been recorded so far (each bucket read once; a record in flight may be half in). */
    public Snapshot snapshot() {
        long[] c = new long[counts.length()];
        long sum;
        synchronized (recorders) {
            for (int i = 0; i < c.length; i++) c[i] = counts.get(i);
            sum = sumNanos.get();
            for (Recorder r : recorders) {
                for (int i = 0; i < c.length; i++) c[i] += r.count(i);
                sum += r.sum();
            }
        }
        return new Snapshot(c, sum);
    }

    /**
     * A recorder for one native writer (a data-path session's thread, in C): this histogram's
     * bounds and counts in a direct buffer that the writer updates without atomics; read by every
     * {@link #snapshot} while open, folded into the histogram when closed.
     */
    public Recorder newRecorder() {
        Recorder r = new Recorder();
        synchronized (recorders) {
            recorders.add(r);
        }
        return r;
    }

    /**
     * Bucket bounds and counts for one native writer, 64-bit words in native byte order: the
     * number of bounds n, the n bounds in nanoseconds, n + 1 counts (the last above every bound),
     * and the sum of the recorded nanoseconds.
     */
    public final class Recorder implements AutoCloseable {
        private static final VarHandle WORDS =
                MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
        private final ByteBuffer buffer;
        private boolean closed;

        private Recorder() {
            int n = BOUNDS_NANOS.length;
            buffer = ByteBuffer.allocateDirect((2 * n + 3) * Long.BYTES).order(ByteOrder.nativeOrder());
            buffer.putLong(0, n);
            for (int i = 0; i < n; i++) buffer.putLong((1 + i) * Long.BYTES, BOUNDS_NANOS[i]);
        }

        /** The words the writer updates: see the class comment. */
        public ByteBuffer buffer() {
            return buffer;
        }

        private long count(int bucket) {
            return (long) WORDS.getOpaque(buffer, (1 + BOUNDS_NANOS.length + bucket) * Long.BYTES);
        }

        private long sum() {
            return (long) WORDS.getOpaque(buffer, (2 + 2 * BOUNDS_NANOS.length) * Long.BYTES);
        }

        /** Folds what the writer recorded into the histogram; the writer must have stopped. */
        @Override
        public void close() {
            synchronized (recorders) {
                if (closed) return;
                closed = true;
                for (int i = 0; i < counts.length(); i++) counts.addAndGet(i, count(i));
                sumNanos.addAndGet(sum());
                recorders.remove(this);
            }
        }
    }

    /** Exports this histogram through {@code registry}; binding it to the same registry again does nothing. */
    public void bindTo(MeterRegistry registry) {
        synchronized (boundTo) {
            if (!boundTo.add(registry)) return;
        }
        if (registry instanceof PrometheusMeterRegistry prometheus) {
            prometheus.getPrometheusRegistry().register(this::collect);
        } else {
            FunctionTimer.builder(
                            name,
                            this,
                            h -> h.snapshot().count(),
                            h -> h.snapshot().sumNanos(),
                            TimeUnit.NANOSECONDS)
                    .description(description)
                    .register(registry);
        }
    }

    private HistogramSnapshot collect() {
        Snapshot s = snapshot();
        double[] bounds = new double[s.counts.length];
        for (int i = 0; i < BOUNDS_NANOS.length; i++) bounds[i] = BOUNDS_NANOS[i] / 1e9;
        bounds[BOUNDS_NANOS.length] = Double.POSITIVE_INFINITY;
        return HistogramSnapshot.builder()
                .name(name.replace('.', '_') + "_seconds")
                .help(description)
                .unit(Unit.SECONDS)
                .dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder()
                        .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, s.counts))
                        .sum(s.sumNanos / 1e9)
                        .build())
                .build();
    }

    /** Counts per bucket (not cumulative) and the sum of the recorded durations. */
    public record Snapshot(long[] counts, long sumNanos) {

        public long count() {
            long total = 0;
            for (long c : counts) total += c;
            return total;
        }

        /**
         * The upper bound, in nanoseconds, of the bucket holding the {@code quantile} (0..1] of the
         * durations recorded after {@code earlier} (a snapshot of the same histogram, or null for
         * all of them); {@link Long#MAX_VALUE} when it lies above every bound, -1 when there are none.
         */
        public long quantileBound(double quantile, Snapshot earlier) {
            long total = count() - (earlier == null ? 0 : earlier.count());
            if (total <= 0) return -1;
            long seen = 0;
            for (int i = 0; i < counts.length; i++) {
                seen += counts[i] - (earlier == null ? 0 : earlier.counts[i]);
                if (seen >= quantile * total) return i < BOUNDS_NANOS.length ? BOUNDS_NANOS[i] : Long.MAX_VALUE;
            }
            return Long.MAX_VALUE;
        }
    }
}
