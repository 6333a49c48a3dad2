package io.packetparamedic.e2e.netns;

import io.packetparamedic.e2e.harness.Repo;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A Java main class running in a child JVM inside a namespace ({@code ip netns exec NS java -cp
 * <this class path> MAIN ARGS}). Its stdout lines are collected (they carry results); its stderr
 * (logs) goes to a file. Closing it closes the child's stdin, which the mains here take as the
 * signal to stop, then kills it if it does not.
 */
public final class NetnsJava implements AutoCloseable {

    private static final int MAX_LINES = 10_000;

    private final String name;
    private final Process process;
    private final Path stderr;
    private final List<String> lines = new ArrayList<>();
    private final Thread reader;

    private NetnsJava(String name, Process process, Path stderr) {
        this.name = name;
        this.process = process;
        this.stderr = stderr;
        this.reader = new Thread(this::readStdout, "stdout-" + name);
        this.reader.setDaemon(true);
        this.reader.start();
    }

    /** Starts {@code mainClass} in {@code ns}; logs go to {@code logDir/<name>.stderr.log}. */
    public static NetnsJava start(
            String ns, String name, Class<?> mainClass, Path logDir, List<String> jvmOptions, String... args) {
        List<String> command = new ArrayList<>(Topology.inNamespace(ns));
        command.add(Repo.java().toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass.getName()));
        command.addAll(List.of(args));
        Path stderr = logDir.resolve(name + ".stderr.log");
        try {
            Files.createDirectories(logDir);
            Process p =
                    new ProcessBuilder(command).redirectError(stderr.toFile()).start();
            return new NetnsJava(name, p, stderr);
        } catch (IOException e) {
            throw new TopologyException(
                    "cannot start " + mainClass.getSimpleName() + " in " + ns + ": " + e.getMessage(), e);
        }
    }

    private void readStdout() {
        try (BufferedReader in =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                synchronized (lines) {
                    if (lines.size() < MAX_LINES) lines.add(line);
                    lines.notifyAll();
                }
            }
        } catch (IOException e) {
            // the child ended
        } finally {
            synchronized (lines) {
                lines.notifyAll();
            }
        }
    }

    /** Waits for a stdout line matching {@code match}; fails with the child's log if it exits or times out first. */
    public String awaitLine(Predicate<String> match, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lines) {
            while (true) {
                for (String l : lines) if (match.test(l)) return l;
                long left = deadline - System.nanoTime();
                if (left <= 0)
                    throw new TopologyException(name + ": no expected output within " + timeout + "\n" + diagnostics());
                if (!reader.isAlive())
                    throw new TopologyException(name + " ended without the expected output\n" + diagnostics());
                TimeUnit.NANOSECONDS.timedWait(lines, Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)));
            }
        }
    }

    /** Waits for the child to exit and for its stdout to be read; returns the exit code. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new TopologyException(name + " did not finish within " + timeout + "\n" + diagnostics());
        }
        reader.join(5_000);
        return process.exitValue();
    }

    public List<String> stdout() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    /** The last stdout line starting with {@code prefix}, without it. */
    public Optional<String> lastLine(String prefix) {
        List<String> all = stdout();
        for (int i = all.size() - 1; i >= 0; i--)
            if (all.get(i).startsWith(prefix)) return Optional.of(all.get(i).substring(prefix.length()));
        return Optional.empty();
    }

    public String diagnostics() {
        String log;
        try {
            log = Files.exists(stderr) ? Files.readString(stderr) : "";
        } catch (IOException e) {
            log = "";
        }
        if (log.length() > 4000) log = "..." + log.substring(log.length() - 4000);
        return "--- " + name + " stdout:\n" + String.join("\n", stdout()) + "\n--- " + name + " stderr (" + stderr
                + "):\n" + log;
    }

    /** The child JVM ({@code ip netns exec} execs it, so this is the JVM itself), e.g. for its children. */
    public ProcessHandle handle() {
        return process.toHandle();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        try {
            process.getOutputStream().close();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroy();
                if (!process.waitFor(5, TimeUnit.SECONDS))
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (IOException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
