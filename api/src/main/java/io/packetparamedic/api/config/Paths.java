package io.packetparamedic.api.config;

import java.nio.file.Path;

/** Path helpers for configuration values. */
final class Paths {
    private Paths() {}

    /** Expands a leading {@code ~} or {@code ~/} to the user's home directory. */
    static Path expand(String value) {
        if (value.equals("~")) return Path.of(System.getProperty("user.home"));
        if (value.startsWith("~/")) return Path.of(System.getProperty("user.home"), value.substring(2));
        return Path.of(value);
    }
}
