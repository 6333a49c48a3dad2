package io.packetparamedic.packaging;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The external programs the packaging checks run. A missing tool fails the test with what to
 * install: {@code .ci/run} provisions all of them, so a silent skip would hide a broken CI.
 */
final class Tools {

  private static final Duration TIMEOUT = Duration.ofMinutes(3);

  private Tools() {}

  /** What one run printed. */
  record Result(List<String> command, int exitCode, String stdout, String stderr) {
    Result orThrow() {
      if (exitCode != 0) {
        throw new AssertionError(this.toString());
      }
      return this;
    }

    @Override
    public String toString() {
      return String.join(" ", command) + " -> exit " + exitCode
          + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
    }
  }

  /** The Lua 5.1 interpreter (Debian package lua5.1). */
  static Path lua() {
    return onPath("lua5.1")
        .orElseThrow(() -> new AssertionError(
            "lua5.1 is not on PATH; install it (apt-get install -y lua5.1), as .ci/run does"));
  }

  static Path helm() {
    return packagingTool("helm");
  }

  static Path kustomize() {
    return packagingTool("kustomize");
  }

  /** helm and kustomize: the cache of e2e/hack/tools.sh first, then PATH. */
  private static Path packagingTool(String name) {
    Path cached = toolsBinDir().resolve(name);
    if (Files.isExecutable(cached)) {
      return cached;
    }
    return onPath(name).orElseThrow(() -> new AssertionError(
        name + " is neither in " + toolsBinDir() + " nor on PATH; run `bash e2e/hack/tools.sh provision`"
            + " (.ci/run does) to build it from the Go module proxy"));
  }

  static Path toolsBinDir() {
    String cache = Optional.ofNullable(System.getenv("XDG_CACHE_HOME")).filter(s -> !s.isBlank())
        .orElse(System.getProperty("user.home") + "/.cache");
    return Path.of(cache, "packetparamedic", "tools", "bin");
  }

  static Optional<Path> onPath(String name) {
    String path = Optional.ofNullable(System.getenv("PATH")).orElse("");
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(dir, name);
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  static Result run(Path workDir, String stdin, List<String> command) {
    return run(workDir, stdin, Map.of(), command);
  }

  static Result run(Path workDir, String stdin, Map<String, String> env, List<String> command) {
    return run(workDir, stdin, env, command, TIMEOUT);
  }

  static Result run(Path workDir, String stdin, Map<String, String> env, List<String> command, Duration timeout) {
    Path out = null;
    Path err = null;
    Path in = null;
    try {
      // Files rather than pipes: no reader threads, no deadlock on large output.
      out = Files.createTempFile("tool", ".out");
      err = Files.createTempFile("tool", ".err");
      ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command))
          .directory(workDir.toFile())
          .redirectOutput(out.toFile())
          .redirectError(err.toFile());
      if (stdin != null) {
        in = Files.createTempFile("tool", ".in");
        Files.writeString(in, stdin, StandardCharsets.UTF_8);
        pb.redirectInput(in.toFile());
      } else {
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      }
      pb.environment().putAll(env);
      Process p = pb.start();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(String.join(" ", command) + " did not finish within " + timeout);
      }
      return new Result(command, p.exitValue(),
          Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + command, e);
    } finally {
      for (Path p : new Path[] {out, err, in}) {
        if (p != null) {
          try {
            Files.deleteIfExists(p);
          } catch (IOException ignored) {
            // a temp file; nothing depends on it
          }
        }
      }
    }
  }
}
