package io.packetparamedic.reflector.governance;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Quantities as a person reads them in a deny message. The deployed appliance client shows the
 * deny {@code message} and nothing else, so the message alone must say which limit, how much was
 * used and when it clears.
 */
public final class PlainWords {

    private static final DateTimeFormatter UTC_TIME =
            DateTimeFormatter.ofPattern("HH:mm:ss 'UTC'", Locale.ROOT).withZone(ZoneOffset.UTC);

    private PlainWords() {}

    /** Decimal units, as iperf3 and the quotas count: 5000000000 → "5.00 GB". */
    public static String bytes(long n) {
        if (n < 1000) return n + " bytes";
        String[] units = {"kB", "MB", "GB", "TB", "PB", "EB"};
        double v = n;
        int u = -1;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return String.format(Locale.ROOT, "%.2f %s", v, units[u]);
    }

    /** A wait: 42 → "42 s", 252 → "4 min 12 s", 18180 → "5 h 3 min". */
    public static String duration(long seconds) {
        long h = seconds / 3600, m = seconds % 3600 / 60, s = seconds % 60;
        if (h > 0) return h + " h " + m + " min";
        if (m > 0) return m + " min " + s + " s";
        return s + " s";
    }

    /** A time of day in UTC: "14:03:10 UTC". */
    public static String utcTime(Instant instant) {
        return UTC_TIME.format(instant);
    }
}
