package io.packetparamedic.packaging;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged operator ({@code operator/target/quarkus-app/quarkus-run.jar}) run as a local
 * process, configured the way a chart-rendered Deployment configures it, and authenticated
 * with a kubeconfig holding a ServiceAccount token.
 */
final class OperatorProcess implements AutoCloseable {

  static final String JAR = "operator/target/quarkus-app/quarkus-run.jar";

  private final Process process;
  private final Path log;
  private final int managementPort;

  private OperatorProcess(Process process, Path log, int managementPort) {
    this.process = process;
    this.log = log;
    this.managementPort = managementPort;
  }

  static Path jar() {
    Path jar = Repo.path(JAR);
    if (!Files.isRegularFile(jar)) {
      throw new AssertionError(jar + " is missing: build the operator first"
          + " (./mvnw -B -pl operator -am package -DskipTests; `./mvnw verify` builds it before this module)");
    }
    return jar;
  }

  /**
   * @param env the container's environment as the chart renders it (fieldRefs already resolved)
   * @param kubeconfig a kubeconfig authenticating as the operator's ServiceAccount
   */
  static OperatorProcess start(Map<String, String> env, Path kubeconfig, Path log) {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    ProcessBuilder pb = new ProcessBuilder(List.of(java.toString(), "-Xmx256m", "-jar", jar().toString()))
        .directory(Repo.path("operator/target").toFile())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    Map<String, String> processEnv = pb.environment();
    // Nothing of the developer's or CI's cluster configuration may leak in.
    processEnv.keySet().removeIf(k -> k.startsWith("KUBERNETES_") || k.startsWith("QUARKUS_") || k.equals("KUBECONFIG"));
    processEnv.putAll(env);
    processEnv.put("KUBECONFIG", kubeconfig.toString());
    // Local ports instead of the container's fixed ones, which may be taken on this machine.
    processEnv.put("QUARKUS_HTTP_PORT", Integer.toString(freePort()));
    int managementPort = freePort();
    processEnv.put("QUARKUS_MANAGEMENT_PORT", Integer.toString(managementPort));
    try {
      return new OperatorProcess(pb.start(), log, managementPort);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the operator", e);
    }
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Where /q/metrics and /q/health answer (the chart's metrics.port, moved to a free local one). */
  int managementPort() {
    return managementPort;
  }

  boolean isAlive() {
    return process.isAlive();
  }

  String log() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  String logTail() {
    List<String> lines = log().lines().toList();
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(Duration.ofSeconds(20).toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
