package io.packetparamedic.e2e.harness;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * Polling with a deadline, for state that lives in the API server or on a node, where a test has
 * no event to wait on. A probe that returns null or {@code false}, or throws, is asked again.
 */
public final class Await {

    private static final long POLL_MILLIS = 50;

    private Await() {}

    /**
     * The first value {@code probe} returns that is neither null nor {@code false}.
     *
     * @throws AssertionError after {@code timeout}, naming {@code what} (with the probe's last
     *     exception as the cause, if it threw)
     */
    public static <T> T until(Duration timeout, String what, Supplier<T> probe) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        RuntimeException last = null;
        while (true) {
            try {
                T value = probe.get();
                if (value != null && !Boolean.FALSE.equals(value)) {
                    return value;
                }
                last = null;
            } catch (RuntimeException e) {
                last = e;
            }
            if (System.nanoTime() > deadline) {
                AssertionError e = new AssertionError("timed out after " + timeout + " waiting for " + what);
                if (last != null) {
                    e.initCause(last);
                }
                throw e;
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    /** The {@code p}-th percentile (nearest rank) of {@code samples}, for reporting latencies. */
    public static long percentile(long[] samples, int p) {
        long[] sorted = samples.clone();
        java.util.Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
