package io.packetparamedic.e2e.tests;

import java.time.Duration;
import java.util.function.Supplier;

/** Polling with a deadline, for state that lives in the API server (no event to wait on here). */
final class Await {

    private Await() {}

    static <T> T until(Duration timeout, String what, Supplier<T> probe) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        RuntimeException last = null;
        while (true) {
            try {
                T value = probe.get();
                if (value != null && !Boolean.FALSE.equals(value)) return value;
                last = null;
            } catch (RuntimeException e) {
                last = e;
            }
            if (System.nanoTime() > deadline) {
                AssertionError e = new AssertionError("timed out after " + timeout + " waiting for " + what);
                if (last != null) e.initCause(last);
                throw e;
            }
            Thread.sleep(50);
        }
    }
}
