package io.packetparamedic.reflector.cli;

import io.packetparamedic.api.config.Durations;
import java.time.Duration;
import picocli.CommandLine;

/** A positive Go-style duration option ({@code 90s}, {@code 10m}, {@code 1h30m}, {@code 1d}); see {@link Durations}. */
final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
        Duration d;
        try {
            d = Durations.parse(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
        if (d.isZero()) throw new CommandLine.TypeConversionException("a duration must be longer than 0s");
        return d;
    }
}
