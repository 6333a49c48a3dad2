package io.packetparamedic.e2e.harness;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged operator ({@link Repo#OPERATOR_JAR}) run as a local process against a test API
 * server, configured by the environment a Deployment would give its container. Its HTTP and
 * management ports are free local ones, not the container's fixed ones, which may be taken here.
 */
public final class OperatorProcess implements AutoCloseable {

    private final Process process;
    private final Path log;
    private final int managementPort;

    private OperatorProcess(Process process, Path log, int managementPort) {
        this.process = process;
        this.log = log;
        this.managementPort = managementPort;
    }

    /**
     * Starts the operator; it runs in the directory of {@code log}, which gets its stdout and stderr.
     *
     * @param kubeconfig the kubeconfig it authenticates with (admin, or a ServiceAccount's token)
     * @param env the container's environment (downward-API values already resolved)
     */
    public static OperatorProcess start(Path kubeconfig, Map<String, String> env, Path log) {
        ProcessBuilder pb = new ProcessBuilder(List.of(
                        Repo.java().toString(),
                        "-Xmx256m",
                        "-XX:+UseSerialGC",
                        "-jar",
                        Repo.operatorJar().toString()))
                .directory(log.toAbsolutePath().getParent().toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Map<String, String> processEnv = pb.environment();
        // Nothing of the developer's or CI's cluster configuration may leak in.
        processEnv
                .keySet()
                .removeIf(k -> k.startsWith("KUBERNETES_") || k.startsWith("QUARKUS_") || k.equals("KUBECONFIG"));
        processEnv.putAll(env);
        processEnv.put("KUBECONFIG", kubeconfig.toString());
        processEnv.put("QUARKUS_HTTP_PORT", Integer.toString(freePort()));
        int managementPort = freePort();
        processEnv.put("QUARKUS_MANAGEMENT_PORT", Integer.toString(managementPort));
        try {
            return new OperatorProcess(pb.start(), log, managementPort);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the operator", e);
        }
    }

    /** A loopback port free right now. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until the readiness endpoint answers 200 (its controllers are started). */
    public OperatorProcess awaitReady(Duration timeout) throws InterruptedException {
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        URI ready = URI.create("http://127.0.0.1:" + managementPort + "/q/health/ready");
        try {
            Await.until(timeout, "the operator's readiness", () -> {
                if (!process.isAlive()) {
                    throw new AssertionError("the operator exited");
                }
                try {
                    return http.send(
                                            HttpRequest.newBuilder(ready)
                                                    .timeout(Duration.ofSeconds(2))
                                                    .build(),
                                            HttpResponse.BodyHandlers.discarding())
                                    .statusCode()
                            == 200;
                } catch (IOException notYet) {
                    return false;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\n" + logTail(), e);
        }
        return this;
    }

    /** Where /q/metrics and /q/health answer. */
    public int managementPort() {
        return managementPort;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public String log() {
        return ProcessLog.read(log);
    }

    public String logTail() {
        return ProcessLog.tail(log, 60);
    }

    /** SIGKILL, as an OOM kill or a lost node would end it: no shutdown hook runs. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            throw new AssertionError("the operator outlived SIGKILL");
        }
    }

    /** SIGTERM, as the kubelet stops a pod; SIGKILL after 20 s. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
