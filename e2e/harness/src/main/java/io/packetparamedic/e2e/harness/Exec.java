package io.packetparamedic.e2e.harness;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Runs a program to completion and keeps what it printed: the one process runner of the tests
 * (kubectl, helm, ip, nft, ...). Output goes to files rather than pipes: no reader threads, and no
 * deadlock when a program prints a lot. Build one with {@link #of}, then {@link #run()}.
 */
public final class Exec {

    private final List<String> command;
    private Path workDir;
    private String stdin;
    private final Map<String, String> env = new LinkedHashMap<>();
    private final Set<String> unset = new HashSet<>();
    private Duration timeout = Duration.ofMinutes(3);
    private boolean mergeStderr;
    private Path stderrLog;

    private Exec(List<String> command) {
        this.command = List.copyOf(command);
    }

    public static Exec of(List<String> command) {
        return new Exec(command);
    }

    public static Exec of(String... command) {
        return new Exec(List.of(command));
    }

    /** The working directory (default: this JVM's). */
    public Exec in(Path dir) {
        this.workDir = dir;
        return this;
    }

    /** Text fed to its standard input (default: none, /dev/null). */
    public Exec input(String text) {
        this.stdin = text;
        return this;
    }

    public Exec env(Map<String, String> variables) {
        env.putAll(variables);
        return this;
    }

    /** Removes a variable this JVM would hand down (e.g. the developer's KUBECONFIG). */
    public Exec unset(String variable) {
        unset.add(variable);
        return this;
    }

    /** Its stderr into its stdout, in the order written (as a terminal shows them). */
    public Exec mergeStderr() {
        this.mergeStderr = true;
        return this;
    }

    /** Its stderr appended to {@code log} (a script's progress lines) instead of kept in the result. */
    public Exec stderrTo(Path log) {
        this.stderrLog = log;
        return this;
    }

    public Exec timeout(Duration limit) {
        this.timeout = limit;
        return this;
    }

    /**
     * Runs it and waits for the exit, whatever the exit code.
     *
     * @throws UncheckedIOException if it cannot be started (e.g. the program is not installed)
     * @throws IllegalStateException if it does not finish within the timeout (it and what it started
     *     are killed)
     */
    public Result run() {
        Path out = null;
        Path err = null;
        Path in = null;
        try {
            out = Files.createTempFile("exec", ".out");
            err = Files.createTempFile("exec", ".err");
            ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command)).redirectOutput(out.toFile());
            if (mergeStderr) {
                pb.redirectErrorStream(true);
            } else if (stderrLog != null) {
                Files.createDirectories(stderrLog.toAbsolutePath().getParent());
                pb.redirectError(ProcessBuilder.Redirect.appendTo(stderrLog.toFile()));
            } else {
                pb.redirectError(err.toFile());
            }
            if (workDir != null) {
                pb.directory(workDir.toFile());
            }
            if (stdin != null) {
                in = Files.createTempFile("exec", ".in");
                Files.writeString(in, stdin, StandardCharsets.UTF_8);
                pb.redirectInput(in.toFile());
            } else {
                pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            }
            pb.environment().keySet().removeAll(unset);
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                throw new IllegalStateException("`" + String.join(" ", command) + "` did not finish within " + timeout);
            }
            return new Result(
                    command,
                    p.exitValue(),
                    Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run `" + String.join(" ", command) + "`: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running `" + String.join(" ", command) + "`", e);
        } finally {
            for (Path p : new Path[] {out, err, in}) {
                deleteQuietly(p);
            }
        }
    }

    private static void deleteQuietly(Path p) {
        if (p == null) {
            return;
        }
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a temporary file; nothing depends on it
        }
    }

    /** What one run printed. */
    public record Result(List<String> command, int exitCode, String stdout, String stderr) {

        public boolean ok() {
            return exitCode == 0;
        }

        /** Returns this result, or fails the test with everything the program said. */
        public Result orThrow() {
            if (!ok()) {
                throw new AssertionError(this.toString());
            }
            return this;
        }

        @Override
        public String toString() {
            return String.join(" ", command) + " -> exit " + exitCode + "\n--- stdout\n" + stdout + "\n--- stderr\n"
                    + stderr;
        }
    }
}
