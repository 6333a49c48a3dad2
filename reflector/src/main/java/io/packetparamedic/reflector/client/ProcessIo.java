package io.packetparamedic.reflector.client;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The rate at which a process moves bytes through read or write system calls, from Linux's
 * {@code /proc/PID/io} ({@code rchar} / {@code wchar}), sampled by the caller. Elsewhere (or when
 * the file cannot be read) every rate is NaN.
 */
final class ProcessIo {

    private final Path file;
    private final String field;
    private long lastBytes = -1;
    private long lastNanos;

    ProcessIo(long pid, boolean reads) {
        this.file = Path.of("/proc", Long.toString(pid), "io");
        this.field = reads ? "rchar:" : "wchar:";
        sample();
    }

    /** Mbit/s since the previous call (or since construction). */
    double mbitPerSecondSinceLast() {
        long before = lastBytes;
        long beforeNanos = lastNanos;
        if (!sample() || before < 0) return Double.NaN;
        double seconds = (lastNanos - beforeNanos) / 1e9;
        return seconds <= 0 ? Double.NaN : (lastBytes - before) * 8 / seconds / 1e6;
    }

    private boolean sample() {
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith(field)) {
                    lastBytes = Long.parseLong(line.substring(field.length()).trim());
                    lastNanos = System.nanoTime();
                    return true;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or the process has gone: no live rate
        }
        lastBytes = -1;
        return false;
    }
}
