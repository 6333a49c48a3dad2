package io.packetparamedic.api.config;

import java.nio.file.Path;

/** Path helpers for configuration values. */
final class Paths {
    private Paths() {}

    /** Expands a leading {@code ~} or {@code ~/} to {@code $HOME} (the JVM's {@code user.home} when unset). */
    static Path expand(String value) {
        if (value.equals("~")) return home();
        if (value.startsWith("~/")) return home().resolve(value.substring(2));
        return Path.of(value);
    }

    static Path home() {
        String home = System.getenv("HOME");
        return Path.of(home != null && !home.isBlank() ? home : System.getProperty("user.home"));
    }
}
