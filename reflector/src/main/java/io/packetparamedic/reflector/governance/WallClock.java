package io.packetparamedic.reflector.governance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The wall clock a serving reflector reads: the system's UTC clock. For end-to-end tests of clock
 * steps only, the system property {@value #OFFSET_FILE_PROPERTY} names a file holding a number of
 * seconds that is added to it, re-read at most every 100 ms: a test steps the reflector's clock
 * by rewriting the file, and the machine's clock is never touched. Not a configuration key, so
 * no deployment sets it by accident.
 */
public final class WallClock extends Clock {

    public static final String OFFSET_FILE_PROPERTY = "reflector.test.clock-offset-file";
    private static final long REREAD_NANOS = Duration.ofMillis(100).toNanos();

    private final Path offsetFile;
    private volatile long offsetSeconds;
    private volatile long readAtNanos;

    private WallClock(Path offsetFile) {
        this.offsetFile = offsetFile;
        this.readAtNanos = System.nanoTime() - REREAD_NANOS;
    }

    /** The system clock, or the test-shifted one when {@value #OFFSET_FILE_PROPERTY} is set. */
    public static Clock system() {
        String file = System.getProperty(OFFSET_FILE_PROPERTY);
        return file == null || file.isBlank() ? Clock.systemUTC() : new WallClock(Path.of(file));
    }

    @Override
    public Instant instant() {
        long now = System.nanoTime();
        if (now - readAtNanos >= REREAD_NANOS) {
            readAtNanos = now;
            try {
                offsetSeconds = Long.parseLong(Files.readString(offsetFile).strip());
            } catch (IOException | NumberFormatException unreadable) {
                // keep the last offset: the test is rewriting the file
            }
        }
        return Instant.now().plusSeconds(offsetSeconds);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        if (ZoneOffset.UTC.equals(zone)) return this;
        throw new UnsupportedOperationException("UTC only");
    }
}
