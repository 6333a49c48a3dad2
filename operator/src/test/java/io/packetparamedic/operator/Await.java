package io.packetparamedic.operator;

import java.time.Duration;
import java.util.function.Supplier;

/** Polls a condition until it holds or the timeout passes; the failure names what was awaited. */
final class Await {
    private Await() {}

    static <T> T until(String what, Duration timeout, Supplier<T> probe) {
        long deadline = System.nanoTime() + timeout.toNanos();
        RuntimeException last = null;
        while (true) {
            try {
                T value = probe.get();
                if (value != null && !Boolean.FALSE.equals(value)) return value;
            } catch (RuntimeException e) {
                last = e;
            }
            if (System.nanoTime() > deadline) {
                AssertionError error = new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what);
                if (last != null) error.initCause(last);
                throw error;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what, e);
            }
        }
    }
}
