package io.packetparamedic.reflector.cli;

import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.api.identity.EndpointId;
import io.packetparamedic.reflector.client.LinkClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code reflector serve} in a child JVM on the test class path; the banner tells where it listens. */
final class ServeProcess implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("Listening on:\\s+(\\S+):(\\d+) ");
    private static final Pattern ENDPOINT = Pattern.compile("Endpoint ID:\\s+(\\S+)");
    private static final Pattern HEALTH = Pattern.compile("Health:\\s+(http://\\S+)");

    final Process process;
    private final StringBuffer stdout = new StringBuffer();
    private final StringBuffer stderr = new StringBuffer();
    private final CompletableFuture<Void> bannerDone = new CompletableFuture<>();

    private ServeProcess(Process process) {
        this.process = process;
        Thread out = new Thread(() -> pump(process.getInputStream(), stdout, true), "serve-stdout");
        Thread err = new Thread(() -> pump(process.getErrorStream(), stderr, false), "serve-stderr");
        out.setDaemon(true);
        err.setDaemon(true);
        out.start();
        err.start();
    }

    /** The command line that runs the reflector CLI in a child JVM on the test class path. */
    static List<String> cliCommand(String... args) {
        return cliCommand(List.of(), args);
    }

    /** The same with extra JVM options (e.g. a test-only {@code -D} property) before the main class. */
    static List<String> cliCommand(List<String> jvmOptions, String... args) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path")));
        command.addAll(jvmOptions);
        command.add(ReflectorCli.class.getName());
        command.addAll(List.of(args));
        return command;
    }

    static ServeProcess start(Map<String, String> env, String... args) throws IOException {
        return start(env, cliCommand(args));
    }

    /** Runs {@code command}, which ends by exec-ing {@link #cliCommand} (e.g. behind {@code unshare}). */
    static ServeProcess start(Map<String, String> env, List<String> command) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().remove("REFLECTOR_CONFIG");
        pb.environment().putAll(env);
        return new ServeProcess(pb.start());
    }

    private void pump(java.io.InputStream in, StringBuffer sink, boolean watchBanner) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                sink.append(line).append('\n');
                if (watchBanner && line.startsWith("Audit log:")) bannerDone.complete(null);
            }
        } catch (IOException ignored) {
            // the process ended
        } finally {
            bannerDone.complete(null);
        }
    }

    /** Waits for the banner (printed once everything listens); fails with the child's stderr if it died. */
    ServeProcess awaitBanner(Duration timeout) throws Exception {
        bannerDone.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!LISTENING.matcher(stdout).find()) {
            throw new AssertionError(
                    "serve did not start; exit=" + (process.isAlive() ? "running" : process.exitValue()) + "\nstdout:\n"
                            + stdout + "\nstderr:\n" + stderr);
        }
        return this;
    }

    String stdout() {
        return stdout.toString();
    }

    String stderr() {
        return stderr.toString();
    }

    /** Waits until the child's log (stderr) contains {@code needle}. */
    void awaitStderr(String needle, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!stderr().contains(needle)) {
            if (System.nanoTime() > deadline) throw new AssertionError("no " + needle + " in:\n" + stderr());
            Thread.sleep(20); // the child's log is read by a pump thread; polled, there is no event to await
        }
    }

    String host() {
        Matcher m = LISTENING.matcher(stdout);
        m.find();
        return m.group(1);
    }

    int port() {
        Matcher m = LISTENING.matcher(stdout);
        m.find();
        return Integer.parseInt(m.group(2));
    }

    java.net.URI healthUri() {
        Matcher m = HEALTH.matcher(stdout);
        m.find();
        return java.net.URI.create(m.group(1));
    }

    String endpointId() {
        Matcher m = ENDPOINT.matcher(stdout);
        m.find();
        return m.group(1);
    }

    /** An appliance's control connection to this reflector, pinned to the Endpoint ID its banner printed. */
    LinkClient connectPinned(Ed25519Identity appliance) throws Exception {
        return LinkClient.connect(
                "127.0.0.1", port(), appliance, LinkClient.Options.defaults().pinning(EndpointId.parse(endpointId())));
    }

    /** SIGTERM, then the exit code. */
    int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor();
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) stop();
    }
}
