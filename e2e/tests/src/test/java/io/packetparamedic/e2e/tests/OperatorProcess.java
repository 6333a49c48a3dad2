package io.packetparamedic.e2e.tests;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged operator ({@code operator/target/quarkus-app/quarkus-run.jar}) as a local process
 * against the harness's API server, watching all namespaces, with leader election on a Lease in
 * its own namespace. Ports are free local ones, not the container's.
 */
final class OperatorProcess implements AutoCloseable {

    private final Process process;
    private final Path log;
    private final int managementPort;

    private OperatorProcess(Process process, Path log, int managementPort) {
        this.process = process;
        this.log = log;
        this.managementPort = managementPort;
    }

    static OperatorProcess start(Path kubeconfig, String leaseNamespace, Path log) {
        int management = freePort();
        ProcessBuilder pb = new ProcessBuilder(List.of(Repo.java().toString(), "-Xmx256m", "-XX:+UseSerialGC",
                "-jar", Repo.operatorJar().toString()))
                .directory(log.getParent().toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("KUBERNETES_") || k.startsWith("QUARKUS_") || k.equals("KUBECONFIG"));
        env.put("KUBECONFIG", kubeconfig.toString());
        env.put("POD_NAMESPACE", leaseNamespace);
        env.put("POD_NAME", "operator-e2e");
        env.put("QUARKUS_HTTP_PORT", Integer.toString(freePort()));
        env.put("QUARKUS_MANAGEMENT_PORT", Integer.toString(management));
        // ApiServerOutageE2ETest stops the API server for outage.seconds (60 by default). With the
        // default renew deadline (20 s) the operator would give its lease up during the outage and
        // exit, as it must when another replica may take over, and nothing here restarts it: the
        // test operator keeps its lease through the outage instead.
        long outage = Long.getLong("outage.seconds", 60);
        env.put("PACKETPARAMEDIC_OPERATOR_LEASE_RENEW_DEADLINE", (outage + 30) + "s");
        env.put("PACKETPARAMEDIC_OPERATOR_LEASE_DURATION", (outage + 45) + "s");
        try {
            return new OperatorProcess(pb.start(), log, management);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the operator", e);
        }
    }

    /** Waits until the operator's readiness endpoint answers 200 (its controllers are started). */
    OperatorProcess awaitReady(Duration timeout) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        URI ready = URI.create("http://127.0.0.1:" + managementPort + "/q/health/ready");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) throw new AssertionError("the operator exited:\n" + logTail());
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) return this;
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the operator was not ready within " + timeout + ":\n" + logTail());
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String logTail() {
        try {
            List<String> lines = Files.readString(log, StandardCharsets.UTF_8).lines().toList();
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** SIGKILL, as an OOM kill or a lost node would end it: no shutdown hook runs. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(20, TimeUnit.SECONDS)) throw new AssertionError("the operator outlived SIGKILL");
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) process.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
