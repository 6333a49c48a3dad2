package io.packetparamedic.e2e.tests;

import io.packetparamedic.e2e.harness.Repo;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The kubectl plugin as users run it: the single executable file
 * {@code kubectl-plugin/target/kubectl-packetparamedic} (shell stub + jar), with the admin
 * kubeconfig, its stdout read line by line so a test can wait for a line.
 */
final class PluginProcess implements AutoCloseable {

    static final String EXECUTABLE = "kubectl-plugin/target/kubectl-packetparamedic";

    private final Process process;
    private final Path stderr;
    private final List<String> arguments;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final List<Waiter> waiters = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Void> endOfOutput = new CompletableFuture<>();

    private record Waiter(Pattern pattern, CompletableFuture<Matcher> found) {}

    private PluginProcess(Process process, Path stderr, List<String> arguments) {
        this.process = process;
        this.arguments = arguments;
        this.stderr = stderr;
        Thread reader = new Thread(this::readStdout, "plugin-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    static PluginProcess start(Path kubeconfig, Path work, String... args) throws IOException {
        Path exe = Repo.artifact(EXECUTABLE, "./mvnw -B -pl kubectl-plugin -am package -DskipTests");
        List<String> command = new ArrayList<>(List.of(exe.toString()));
        command.addAll(List.of(args));
        command.add("--kubeconfig=" + kubeconfig);
        Files.createDirectories(work);
        Path err = Files.createTempFile(work, "plugin-", ".err");
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().remove("KUBECONFIG");
        // The stub runs $JAVA_HOME/bin/java: the JVM of this test run.
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        return new PluginProcess(pb.start(), err, List.of(args));
    }

    private void readStdout() {
        try (BufferedReader r =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                lines.add(line);
                for (Waiter w : waiters) match(w, line);
            }
        } catch (IOException e) {
            // the process went away
        }
        waiters.forEach(w -> w.found().completeExceptionally(new IllegalStateException("the plugin's output ended")));
        endOfOutput.complete(null);
    }

    private static void match(Waiter w, String line) {
        Matcher m = w.pattern().matcher(line);
        if (m.find()) w.found().complete(m);
    }

    /** The first stdout line (already printed or still to come) matching {@code pattern}. */
    Matcher awaitLine(Pattern pattern, Duration timeout) throws Exception {
        Waiter w = new Waiter(pattern, new CompletableFuture<>());
        waiters.add(w);
        lines.forEach(l -> match(w, l));
        try {
            return w.found().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
            throw new AssertionError(
                    "no line matching " + pattern + " from the plugin: " + e.getMessage() + "\n" + transcript());
        }
    }

    /** Ctrl-C: SIGINT to the JVM (the stub execs it, so the process is the JVM). */
    void interrupt() throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-INT", Long.toString(process.pid()))
                .inheritIO()
                .start();
        if (kill.waitFor() != 0) throw new AssertionError("kill -INT " + process.pid() + " failed");
    }

    String stderr() {
        try {
            return Files.readString(stderr, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The exit code, once the process has exited and all its output has been read. */
    int awaitExit(Duration timeout) throws Exception {
        try {
            endOfOutput.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("the plugin did not exit within " + timeout + "\n" + transcript());
        }
        return process.waitFor();
    }

    String stdout() {
        return String.join("\n", lines) + "\n";
    }

    String transcript() {
        return "--- stdout\n" + stdout() + "--- stderr\n" + stderr();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
        // What a user would have seen, for the test report.
        System.err.println("[e2e] kubectl-packetparamedic " + String.join(" ", arguments) + "\n" + transcript());
    }
}
