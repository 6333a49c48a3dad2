package io.packetparamedic.packaging;

import io.packetparamedic.e2e.harness.RepoLayout;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The repository these tests check, and small file helpers. */
final class Repo {

  /** Set {@code -Dpackaging.update=true} to rewrite generated copies instead of failing on drift. */
  static final boolean UPDATE = Boolean.getBoolean("packaging.update");

  private Repo() {}

  /** {@code pp.repo.root} (set by the pom), else the nearest directory above holding mvnw. */
  static Path root() {
    String configured = System.getProperty("pp.repo.root");
    if (configured != null && !configured.isBlank() && Files.isRegularFile(Path.of(configured, "mvnw"))) {
      return Path.of(configured).toAbsolutePath().normalize();
    }
    return RepoLayout.requireRoot();
  }

  static Path path(String relative) {
    return root().resolve(relative);
  }

  static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  static void write(Path file, String content) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, content, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /** Regular files under {@code dir} whose name matches {@code regex}, sorted. */
  static List<Path> files(Path dir, String regex) {
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
