package io.packetparamedic.reflector;

import ch.qos.logback.classic.Level;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Sets the root log level from {@code [logging] level} when Logback is the SLF4J backend. */
public final class LogLevels {

    private LogLevels() {}

    public static void apply(String level) {
        if (level == null || level.isBlank()) return;
        if (LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME) instanceof ch.qos.logback.classic.Logger root) {
            String name = level.strip().toUpperCase(Locale.ROOT);
            root.setLevel(Level.toLevel(name.equals("WARNING") ? "WARN" : name, Level.INFO));
        }
    }
}
