package io.packetparamedic.e2e.harness;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The packaged reflector ({@link Repo#REFLECTOR_JAR}) as a process: standalone ({@code reflector
 * serve -c FILE}, see {@link #serve}) or in Kubernetes mode (a {@link Launch} built from a
 * Deployment). What it reports on stdout at startup (its banner: Endpoint ID, listening and health
 * addresses) is parsed; its log (stderr) goes to a file the tests read.
 */
public final class ReflectorProcess implements AutoCloseable {

    private static final Pattern ENDPOINT = Pattern.compile("^Endpoint ID:\\s+(\\S+)");
    private static final Pattern LISTENING = Pattern.compile("^Listening on:\\s+(\\S+):(\\d+) ");
    private static final Pattern HEALTH = Pattern.compile("^Health:\\s+http://(\\S+):(\\d+)/");

    /**
     * How to start it (again, for a restart).
     *
     * @param command the whole command line, e.g. from {@link #javaCommand}
     * @param env variables added to this JVM's (less any KUBERNETES_*, KUBECONFIG and REFLECTOR_*)
     * @param log the file its stderr is appended to
     */
    public record Launch(List<String> command, Map<String, String> env, Path log) {}

    private final Launch launch;
    private final Process process;
    private final CompletableFuture<Void> banner = new CompletableFuture<>();
    private final StringBuffer stdout = new StringBuffer();
    private volatile String endpointId;
    private volatile String host;
    private volatile int port;
    private volatile int healthPort;

    private ReflectorProcess(Launch launch) throws IOException {
        this.launch = launch;
        Files.createDirectories(launch.log().toAbsolutePath().getParent());
        ProcessBuilder pb = new ProcessBuilder(launch.command())
                .redirectError(ProcessBuilder.Redirect.appendTo(launch.log().toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        // Only what the launch says configures it: not the developer's cluster nor their REFLECTOR_*.
        pb.environment()
                .keySet()
                .removeIf(k -> k.startsWith("KUBERNETES_") || k.equals("KUBECONFIG") || k.startsWith("REFLECTOR_"));
        pb.environment().putAll(launch.env());
        this.process = pb.start();
        Thread reader = new Thread(this::readStdout, "reflector-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts it; {@link #awaitBanner} waits until it serves. */
    public static ReflectorProcess start(Launch launch) throws IOException {
        return new ReflectorProcess(launch);
    }

    /**
     * {@code reflector serve -c CONFIG}, its log in {@code log}.
     *
     * @param wrapper what the java command runs under, e.g. {@code ip netns exec NS}; may be empty
     */
    public static ReflectorProcess serve(List<String> wrapper, List<String> jvmOptions, Path config, Path log)
            throws IOException {
        List<String> command = new ArrayList<>(wrapper);
        command.addAll(javaCommand(jvmOptions, List.of("serve", "-c", config.toString())));
        return start(new Launch(command, Map.of(), log));
    }

    /** {@code java OPTIONS -jar reflector.jar ARGS} with the JVM running the tests. */
    public static List<String> javaCommand(List<String> jvmOptions, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(Repo.java().toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", Repo.reflectorJar().toString()));
        command.addAll(args);
        return command;
    }

    /** A fresh process with the same command, environment and data directory (a pod restart). */
    public ReflectorProcess restart() throws Exception {
        close();
        return new ReflectorProcess(launch).awaitBanner(Duration.ofSeconds(60));
    }

    private void readStdout() {
        try (BufferedReader r =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                stdout.append(line).append('\n');
                Matcher m = ENDPOINT.matcher(line);
                if (m.find()) {
                    endpointId = m.group(1);
                }
                Matcher l = LISTENING.matcher(line);
                if (l.find()) {
                    host = l.group(1);
                    port = Integer.parseInt(l.group(2));
                }
                Matcher h = HEALTH.matcher(line);
                if (h.find()) {
                    healthPort = Integer.parseInt(h.group(2));
                }
                if (line.startsWith("Audit log:")) {
                    banner.complete(null);
                }
            }
        } catch (IOException e) {
            // the process went away
        }
        banner.completeExceptionally(new IllegalStateException("the reflector exited before its banner"));
    }

    /** Waits for the banner's last line: from then on it serves. */
    public ReflectorProcess awaitBanner(Duration timeout) throws InterruptedException {
        try {
            banner.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError(
                    "reflector did not start: " + e.getMessage() + "\nstdout:\n" + stdout + "\nlog:\n" + logTail(), e);
        }
        return this;
    }

    public String endpointId() {
        return endpointId;
    }

    /** The control address it listens on, from the banner. */
    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** Its health/metrics port, from the banner. */
    public int healthPort() {
        return healthPort;
    }

    public String stdout() {
        return stdout.toString();
    }

    public String log() {
        return ProcessLog.read(launch.log());
    }

    public String logTail() {
        return ProcessLog.tail(launch.log(), 40);
    }

    /** The time of the first log line at or after {@code since} containing {@code needle}, if any. */
    public Optional<Instant> logTimeOf(String needle, Instant since) {
        return log().lines()
                .filter(l -> l.contains(needle))
                .map(l -> Instant.parse(l.substring(0, l.indexOf(' '))))
                .filter(t -> !t.isBefore(since))
                .findFirst();
    }

    /** The reflector's process (its pid, its children such as iperf3). */
    public ProcessHandle handle() {
        return process.toHandle();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Completes when the process exits (e.g. on its own after an identity rotation). */
    public CompletableFuture<Process> exited() {
        return process.onExit();
    }

    /**
     * Writes {@code dir/reflector.toml} for a standalone reflector on loopback: identity and audit
     * log under {@code dir/state}, control and health ports chosen by the kernel (the banner says
     * which), data ports {@code dataPortStart..dataPortEnd}, {@code authorizedPeers} let in, and
     * {@code extraToml} (whole sections, e.g. {@code [quotas]}) appended; defaults for the rest.
     */
    public static Path writeStandaloneConfig(
            Path dir, int dataPortStart, int dataPortEnd, List<String> authorizedPeers, String extraToml)
            throws IOException {
        Files.createDirectories(dir.resolve("state"));
        String peers = authorizedPeers.stream().map(id -> "\"" + id + "\"").collect(Collectors.joining(", "));
        String toml = """
                [identity]
                private_key_path = "%s"
                [logging]
                audit_log_path = "%s"
                [network]
                listen_address = "127.0.0.1:0"
                listen_address_health = "127.0.0.1:0"
                data_port_range_start = %d
                data_port_range_end = %d
                [access]
                authorized_peers = [%s]
                """.formatted(
                                dir.resolve("state/identity.ed25519"),
                                dir.resolve("state/audit.jsonl"),
                                dataPortStart,
                                dataPortEnd,
                                peers)
                + extraToml;
        Path file = dir.resolve("reflector.toml");
        Files.writeString(file, toml, StandardCharsets.UTF_8);
        return file;
    }

    /** SIGTERM, as the kubelet stops a pod; waits for the exit (SIGKILL after 20 s). */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }

    @Override
    public String toString() {
        return "reflector " + (endpointId == null ? "(starting)" : endpointId) + " pid " + process.pid();
    }
}
