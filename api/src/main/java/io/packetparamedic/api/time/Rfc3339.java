package io.packetparamedic.api.time;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * RFC 3339 timestamps as Kubernetes writes them in status fields ({@code 2026-11-30T15:04:05Z}):
 * whole seconds, UTC, and parsed leniently (any offset, fractional seconds) because people and other
 * tools write these fields too.
 */
public final class Rfc3339 {

    private Rfc3339() {}

    /** {@code instant} as Kubernetes prints it: truncated to seconds, UTC, with a {@code Z}. */
    public static String format(Instant instant) {
        return instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /**
     * Parses {@code text} (any RFC 3339 offset); throws {@link IllegalArgumentException} naming the
     * text when it is not a timestamp.
     */
    public static Instant parse(String text) {
        if (text == null || text.isBlank()) throw new IllegalArgumentException("missing RFC 3339 timestamp");
        try {
            return OffsetDateTime.parse(text.strip()).toInstant();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(
                    "'" + text + "' is not an RFC 3339 timestamp (e.g. 2026-11-30T15:04:05Z)");
        }
    }

    /** {@code text} parsed, or empty when it is absent or not a timestamp (for fields others may write). */
    public static Optional<Instant> tryParse(String text) {
        if (text == null || text.isBlank()) return Optional.empty();
        try {
            return Optional.of(OffsetDateTime.parse(text.strip()).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
