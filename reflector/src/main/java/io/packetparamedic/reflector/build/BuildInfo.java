package io.packetparamedic.reflector.build;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The version and git commit this build was made from, read from the filtered
 * {@code reflector-build.properties} resource (one resource for {@code --version}, {@code /health}
 * and {@code path_meta}).
 */
public record BuildInfo(String version, String commit) {

    public static final String RESOURCE = "/reflector-build.properties";
    private static final BuildInfo CURRENT = read();

    public static BuildInfo current() {
        return CURRENT;
    }

    private static BuildInfo read() {
        Properties p = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream(RESOURCE)) {
            if (in != null) p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
        return new BuildInfo(valueOrUnknown(p.getProperty("version")), valueOrUnknown(p.getProperty("commit")));
    }

    /** An unfiltered placeholder (a build from outside Maven) reads as "unknown". */
    private static String valueOrUnknown(String value) {
        return value == null || value.isBlank() || value.startsWith("${") ? "unknown" : value.strip();
    }
}
