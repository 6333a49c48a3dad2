package io.packetparamedic.api.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as the command line and the custom resources write them, Go style: one or more
 * whole numbers each followed by a unit, largest unit first, each unit at most once:
 * {@code 30s}, {@code 10m}, {@code 1h30m}, {@code 1m30s}, {@code 2d12h}. Units are {@code d}
 * (24 h), {@code h}, {@code m} and {@code s}; nothing here needs less than a second, so Go's
 * {@code ms}, {@code us} and fractions are refused rather than rounded.
 */
public final class Durations {
    private static final String EXAMPLES = "e.g. 90s, 10m, 1h30m, 2d";
    private static final Pattern PART = Pattern.compile("(\\d{1,9})([dhms])");
    private static final String UNITS = "dhms";
    private static final long[] UNIT_SECONDS = {86_400, 3_600, 60, 1};

    private Durations() {}

    /** Parses {@code text}; throws {@link IllegalArgumentException} quoting it and saying what is expected. */
    public static Duration parse(String text) {
        String s = text == null ? "" : text.strip();
        if (s.isEmpty()) throw invalid(text, "it is empty");
        if (s.matches(".*\\d(ms|us|µs|ns)")) throw invalid(text, "units below a second are not supported");
        Matcher m = PART.matcher(s);
        long seconds = 0;
        int end = 0;
        int lastUnit = -1;
        while (end < s.length()) {
            if (!m.region(end, s.length()).lookingAt()) throw invalid(text, describe(s.substring(end)));
            int unit = UNITS.indexOf(m.group(2));
            if (unit <= lastUnit) {
                throw invalid(text, "units must go from largest to smallest, each once (d, h, m, s)");
            }
            seconds += Long.parseLong(m.group(1)) * UNIT_SECONDS[unit];
            lastUnit = unit;
            end = m.end();
        }
        return Duration.ofSeconds(seconds);
    }

    /** The canonical compound form, largest unit first: 90s → 1m30s, 600s → 10m, 5400s → 1h30m. */
    public static String format(Duration d) {
        long s = d.getSeconds();
        if (s < 0) return "-" + format(Duration.ofSeconds(-s));
        if (s == 0) return "0s";
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < UNIT_SECONDS.length; i++) {
            long n = s / UNIT_SECONDS[i];
            if (n > 0) out.append(n).append(UNITS.charAt(i));
            s %= UNIT_SECONDS[i];
        }
        return out.toString();
    }

    private static String describe(String rest) {
        if (rest.matches("\\d{10,}[dhms].*")) return "a number is too large";
        if (rest.matches("\\d+")) return "\"" + rest + "\" has no unit";
        if (rest.matches("\\d+\\.\\d+[dhms].*")) return "use whole numbers (1h30m, not 1.5h)";
        return "cannot read \"" + rest + "\"";
    }

    private static IllegalArgumentException invalid(String text, String why) {
        return new IllegalArgumentException("invalid duration \"" + text + "\": " + why
                + "; expected whole numbers with units d, h, m or s, largest first (" + EXAMPLES + ")");
    }
}
