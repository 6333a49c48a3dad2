package io.packetparamedic.e2e.tests;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.Config;
import io.packetparamedic.e2e.harness.KubeTestCluster;
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
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The test playing the kubelet: runs the reflector (the shaded {@code reflector.jar}) with the
 * arguments and environment of the Deployment the operator created, authenticated with a token
 * of the Deployment's ServiceAccount (TokenRequest) in a kubeconfig — so it has exactly the
 * pod's rights. Downward-API variables get what a pod on a node at 127.0.0.1 would see; the
 * listeners bind 127.0.0.1 on free ports and the data directory is a per-run temporary one.
 */
final class ReflectorProcess implements AutoCloseable {

    static final String NODE = "e2e-node";
    private static final Pattern ENDPOINT = Pattern.compile("^Endpoint ID:\\s+(\\S+)");
    private static final Pattern LISTENING = Pattern.compile("^Listening on:\\s+(\\S+):(\\d+) ");
    private static final Pattern HEALTH = Pattern.compile("^Health:\\s+http://(\\S+):(\\d+)/");

    /** How to start it again (restart). */
    record Launch(List<String> command, Map<String, String> env, Path log) {}

    private final Launch launch;
    private final Process process;
    private final CompletableFuture<Void> banner = new CompletableFuture<>();
    private final StringBuffer stdout = new StringBuffer();
    private volatile String endpointId;
    private volatile int port;
    private volatile int healthPort;

    private ReflectorProcess(Launch launch) throws IOException {
        this.launch = launch;
        ProcessBuilder pb = new ProcessBuilder(launch.command())
                .redirectError(ProcessBuilder.Redirect.appendTo(launch.log().toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().keySet().removeIf(k -> k.startsWith("KUBERNETES_") || k.equals("KUBECONFIG")
                || k.startsWith("REFLECTOR_"));
        pb.environment().putAll(launch.env());
        this.process = pb.start();
        Thread reader = new Thread(this::readStdout, "reflector-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts the reflector of {@code deploymentName} as its pod would run it. */
    static ReflectorProcess fromDeployment(KubeTestCluster cluster, String namespace, String deploymentName, Path work)
            throws IOException {
        Deployment d = cluster.client().apps().deployments().inNamespace(namespace).withName(deploymentName).get();
        if (d == null) throw new AssertionError("Deployment " + namespace + "/" + deploymentName + " does not exist");
        var pod = d.getSpec().getTemplate().getSpec();
        Container c = pod.getContainers().get(0);
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvVar e : c.getEnv()) {
            if (e.getValue() != null) {
                env.put(e.getName(), e.getValue());
            } else {
                String field = e.getValueFrom().getFieldRef().getFieldPath();
                env.put(e.getName(), switch (field) {
                    case "metadata.name" -> deploymentName + "-e2e";
                    case "metadata.namespace" -> namespace;
                    case "spec.nodeName" -> NODE;
                    case "status.hostIP" -> "127.0.0.1";
                    default -> throw new AssertionError("unexpected downward-API field " + field);
                });
            }
        }
        Files.createDirectories(work);
        Path data = Files.createDirectories(work.resolve("data"));
        env.put("REFLECTOR_LISTEN_ADDRESS", "127.0.0.1:0");
        env.put("REFLECTOR_HEALTH_LISTEN_ADDRESS", "127.0.0.1:0");
        env.put("REFLECTOR_DATA_DIR", data.toString());

        Path kubeconfig = work.resolve("kubeconfig");
        writeServiceAccountKubeconfig(cluster, namespace, pod.getServiceAccountName(), kubeconfig);

        List<String> command = new ArrayList<>(List.of(Repo.java().toString(), "-Xmx256m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-jar", Repo.reflectorJar().toString()));
        command.addAll(c.getArgs());
        command.add("--kubeconfig");
        command.add(kubeconfig.toString());
        return new ReflectorProcess(new Launch(command, env, work.resolve("reflector.log")));
    }

    /**
     * The standalone reflector, {@code reflector serve -c CONFIG}, with the same JVM flags as the
     * pod's (the soak measures what a deployment runs), plus {@code -XX:+AlwaysPreTouch}: the whole
     * heap is resident from the start, so RSS growth measures native memory instead of how far
     * the serial collector's old generation has been filled with garbage between full GCs (the
     * heap is judged by its live size after a full GC instead).
     */
    static ReflectorProcess standalone(Path config, Path work) throws IOException {
        Files.createDirectories(work);
        List<String> command = List.of(Repo.java().toString(), "-Xmx256m", "-Xms256m", "-XX:+AlwaysPreTouch",
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar", Repo.reflectorJar().toString(), "serve", "-c",
                config.toString());
        return new ReflectorProcess(new Launch(command, Map.of(), work.resolve("reflector.log")));
    }

    /** A fresh process with the same command, environment and data directory (a pod restart). */
    ReflectorProcess restart() throws Exception {
        close();
        return new ReflectorProcess(launch).awaitBanner(Duration.ofSeconds(60));
    }

    static void writeServiceAccountKubeconfig(KubeTestCluster cluster, String namespace, String serviceAccount,
            Path file) throws IOException {
        Config admin = cluster.adminConfig();
        String ca = admin.getCaCertData();
        if (ca == null || ca.isBlank()) {
            ca = Base64.getEncoder().encodeToString(Files.readAllBytes(Path.of(admin.getCaCertFile())));
        }
        String token = cluster.serviceAccountToken(namespace, serviceAccount, Duration.ofHours(2));
        String yaml = """
                apiVersion: v1
                kind: Config
                clusters:
                - name: e2e
                  cluster:
                    server: %s
                    certificate-authority-data: %s
                users:
                - name: %s
                  user:
                    token: %s
                contexts:
                - name: reflector
                  context:
                    cluster: e2e
                    user: %s
                    namespace: %s
                current-context: reflector
                """.formatted(admin.getMasterUrl(), ca, serviceAccount, token, serviceAccount, namespace);
        Files.writeString(file, yaml, StandardCharsets.UTF_8);
    }

    private void readStdout() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                stdout.append(line).append('\n');
                Matcher m = ENDPOINT.matcher(line);
                if (m.find()) endpointId = m.group(1);
                Matcher l = LISTENING.matcher(line);
                if (l.find()) port = Integer.parseInt(l.group(2));
                Matcher h = HEALTH.matcher(line);
                if (h.find()) healthPort = Integer.parseInt(h.group(2));
                if (line.startsWith("Audit log:")) banner.complete(null);
            }
        } catch (IOException e) {
            // the process went away
        }
        banner.completeExceptionally(new IllegalStateException("the reflector exited before its banner"));
    }

    ReflectorProcess awaitBanner(Duration timeout) throws Exception {
        try {
            banner.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
            throw new AssertionError("reflector did not start: " + e.getMessage() + "\nstdout:\n" + stdout + "\nlog:\n"
                    + logTail(), e);
        }
        return this;
    }

    String endpointId() {
        return endpointId;
    }

    int port() {
        return port;
    }

    String stdout() {
        return stdout.toString();
    }

    String log() {
        try {
            return Files.readString(launch.log(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String logTail() {
        List<String> lines = log().lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    /** The time of the first log line at or after {@code since} containing {@code needle}, if any. */
    java.util.Optional<java.time.Instant> logTimeOf(String needle, java.time.Instant since) {
        return log().lines().filter(l -> l.contains(needle))
                .map(l -> java.time.Instant.parse(l.substring(0, l.indexOf(' '))))
                .filter(t -> !t.isBefore(since))
                .findFirst();
    }

    /** The reflector's process (its pid, its children such as iperf3). */
    ProcessHandle handle() {
        return process.toHandle();
    }

    /** Its health/metrics port, from the banner. */
    int healthPort() {
        return healthPort;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Completes when the process exits (e.g. on its own after an identity rotation). */
    java.util.concurrent.CompletableFuture<Process> exited() {
        return process.onExit();
    }

    /** SIGTERM, as the kubelet stops a pod; waits for the exit. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
    }
}
