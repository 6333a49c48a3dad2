package io.packetparamedic.reflector.engine;

import java.time.Instant;

/**
 * The 64-bit NTP timestamp format STAMP uses (RFC 5905 section 6, RFC 8762 section 4.2.1):
 * 32 bits of seconds since 1900-01-01 and 32 bits of binary fraction, big-endian.
 */
public final class NtpTime {

    /** Seconds from the NTP epoch (1900) to the Unix epoch (1970). */
    static final long UNIX_OFFSET_SECONDS = 2_208_988_800L;

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private NtpTime() {}

    /** {@code instant} as an NTP timestamp (era 0 wraps in 2036, as the 32-bit field does). */
    public static long of(Instant instant) {
        long seconds = (instant.getEpochSecond() + UNIX_OFFSET_SECONDS) & 0xFFFF_FFFFL;
        long fraction = ((long) instant.getNano() << 32) / NANOS_PER_SECOND;
        return seconds << 32 | fraction;
    }

    /** Nanoseconds since the Unix epoch (a kernel receive timestamp) as an NTP timestamp of era 0. */
    public static long ofEpochNanos(long epochNanos) {
        long seconds = (Math.floorDiv(epochNanos, NANOS_PER_SECOND) + UNIX_OFFSET_SECONDS) & 0xFFFF_FFFFL;
        long fraction = (Math.floorMod(epochNanos, NANOS_PER_SECOND) << 32) / NANOS_PER_SECOND;
        return seconds << 32 | fraction;
    }

    /** The instant an NTP timestamp of era 0 names, to the nanosecond (rounded down). */
    public static Instant toInstant(long ntp) {
        long seconds = (ntp >>> 32) - UNIX_OFFSET_SECONDS;
        long nanos = ((ntp & 0xFFFF_FFFFL) * NANOS_PER_SECOND) >>> 32;
        return Instant.ofEpochSecond(seconds, nanos);
    }
}
