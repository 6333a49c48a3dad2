package io.packetparamedic.reflector;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** How the reflector writes its log: {@code text} (key=value lines) or {@code json} (one object per line). */
public enum LogFormat {
    TEXT,
    JSON;

    /** The environment variable that selects the format before any option is parsed (e.g. in a pod spec). */
    public static final String ENV = "REFLECTOR_LOG_FORMAT";

    /** @throws IllegalArgumentException naming the accepted values */
    public static LogFormat parse(String value) {
        for (LogFormat f : values()) {
            if (f.name().equalsIgnoreCase(value.strip())) return f;
        }
        throw new IllegalArgumentException("log format must be text or json, not '" + value + "'");
    }

    /** From {@value #ENV}; text when unset, empty or not a format (said once on stderr, since there is no log yet). */
    static LogFormat fromEnv(Map<String, String> env) {
        String value = env.get(ENV);
        if (value == null || value.isBlank()) return TEXT;
        try {
            return parse(value);
        } catch (IllegalArgumentException e) {
            System.err.println(ENV + ": " + e.getMessage() + "; using text");
            return TEXT;
        }
    }

    /** A started encoder of this format. */
    Encoder<ILoggingEvent> encoder(LoggerContext context) {
        if (this == TEXT) return LogbackSetup.encoder(context);
        JsonLogEncoder json = new JsonLogEncoder();
        json.setContext(context);
        json.start();
        return json;
    }

    /**
     * Switches the reflector's stderr appender to this format ({@code --log-format}). A no-op when
     * Logback is not the backend or another configuration (a test's logback-test.xml) replaced ours.
     */
    public void apply() {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) return;
        Appender<ILoggingEvent> appender =
                context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender(LogbackSetup.APPENDER);
        if (appender instanceof ConsoleAppender<ILoggingEvent> stderr) {
            stderr.stop();
            stderr.setEncoder(encoder(context));
            stderr.start();
        }
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
