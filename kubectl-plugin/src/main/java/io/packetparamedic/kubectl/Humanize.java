package io.packetparamedic.kubectl;

import io.packetparamedic.api.time.Rfc3339;
import java.time.Duration;
import java.time.Instant;

/** Figures as people read them: 1.5 GiB, 9m41s, 3m ago. */
final class Humanize {

    private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};

    private Humanize() {}

    static String bytes(Long n) {
        if (n == null) return "-";
        double v = n;
        int unit = 0;
        while (v >= 1024 && unit < UNITS.length - 1) {
            v /= 1024;
            unit++;
        }
        return unit == 0 ? n + " B" : String.format("%.1f %s", v, UNITS[unit]);
    }

    /** 1h02m03s, 9m41s, 7s; negative durations count as zero. */
    static String duration(Duration d) {
        long s = Math.max(0, d.getSeconds());
        long h = s / 3600;
        long m = s % 3600 / 60;
        long sec = s % 60;
        if (h > 0) return String.format("%dh%02dm%02ds", h, m, sec);
        if (m > 0) return String.format("%dm%02ds", m, sec);
        return sec + "s";
    }

    /** An RFC 3339 time as "2026-11-30T12:00:00Z (3m ago)"; "-" when absent. */
    static String ago(String rfc3339, Instant now) {
        if (rfc3339 == null) return "-";
        return Rfc3339.tryParse(rfc3339)
                .map(t -> rfc3339 + " (" + duration(Duration.between(t, now)) + " ago)")
                .orElse(rfc3339);
    }
}
