package io.packetparamedic.packaging;

import io.packetparamedic.e2e.harness.Exec;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The external programs the packaging checks run. A missing tool fails the test with what to
 * install: {@code .ci/run} provisions all of them, so a silent skip would hide a broken CI.
 */
final class Tools {

    private static final Duration TIMEOUT = Duration.ofMinutes(3);

    private Tools() {}

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
        return onPath(name)
                .orElseThrow(() -> new AssertionError(name + " is neither in " + toolsBinDir()
                        + " nor on PATH; run `bash e2e/hack/tools.sh provision`"
                        + " (.ci/run does) to build it from the Go module proxy"));
    }

    static Path toolsBinDir() {
        String cache = Optional.ofNullable(System.getenv("XDG_CACHE_HOME"))
                .filter(s -> !s.isBlank())
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

    static Exec.Result run(Path workDir, String stdin, List<String> command) {
        return run(workDir, stdin, Map.of(), command);
    }

    static Exec.Result run(Path workDir, String stdin, Map<String, String> env, List<String> command) {
        return run(workDir, stdin, env, command, TIMEOUT);
    }

    static Exec.Result run(
            Path workDir, String stdin, Map<String, String> env, List<String> command, Duration timeout) {
        return Exec.of(command)
                .in(workDir)
                .input(stdin)
                .env(env)
                .timeout(timeout)
                .run();
    }
}
