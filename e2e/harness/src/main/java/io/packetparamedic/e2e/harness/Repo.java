package io.packetparamedic.e2e.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The repository the tests run in: its files, the artifacts the build leaves in it (the packaged
 * operator and reflector), and the JVM to run them with.
 */
public final class Repo {

    public static final String OPERATOR_JAR = "operator/target/quarkus-app/quarkus-run.jar";
    public static final String REFLECTOR_JAR = "reflector/target/reflector.jar";

    private Repo() {}

    /** {@code pp.repo.root} (a pom may set it), else the nearest directory above holding mvnw. */
    public static Path root() {
        String configured = System.getProperty("pp.repo.root");
        if (configured != null && !configured.isBlank() && Files.isRegularFile(Path.of(configured, "mvnw"))) {
            return Path.of(configured).toAbsolutePath().normalize();
        }
        return RepoLayout.requireRoot();
    }

    public static Path path(String relative) {
        return root().resolve(relative);
    }

    /** A file the build makes; a test that finds it missing fails saying how to build it. */
    public static Path artifact(String relative, String buildHint) {
        Path p = path(relative);
        if (!Files.isRegularFile(p)) {
            throw new AssertionError(p + " is missing: build it first (" + buildHint + ")");
        }
        return p;
    }

    public static Path operatorJar() {
        return artifact(OPERATOR_JAR, "./mvnw -B -pl operator -am package -DskipTests");
    }

    public static Path reflectorJar() {
        return artifact(REFLECTOR_JAR, "./mvnw -B -pl reflector -am package -DskipTests");
    }

    /** The JVM running the tests, for the processes they start. */
    public static Path java() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }

    public static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    public static void write(Path file, String content) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, content, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** Regular files under {@code dir} whose name matches {@code regex}, sorted. */
    public static List<Path> files(Path dir, String regex) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile)
                    .filter(p -> p.getFileName().toString().matches(regex))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }
}
