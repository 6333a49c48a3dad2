package io.packetparamedic.e2e.node;

import io.packetparamedic.e2e.harness.Exec;
import io.packetparamedic.e2e.harness.KubeTestCluster;
import io.packetparamedic.e2e.harness.KubectlResult;
import io.packetparamedic.e2e.harness.RepoLayout;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The operator as an admin installs it on the node cluster: {@code charts/packetparamedic-operator}
 * through helm, with the local images ({@code pullPolicy: Never}). Shared by the e2e/node classes,
 * which install and uninstall the same release one after the other.
 */
final class OperatorChart {

    static final String REFLECTOR_IMAGE = "localhost/packetparamedic/reflector:dev";
    static final String OPERATOR_IMAGE = "localhost/packetparamedic/operator:dev";
    static final String RELEASE = "ppo";
    static final String OPERATOR_NS = "packetparamedic-system";
    static final List<String> CRDS = List.of("reflectorinstances", "authorizedpeers", "pairingwindows");

    private final KubeTestCluster cluster;

    OperatorChart(KubeTestCluster cluster) {
        this.cluster = cluster;
    }

    /**
     * {@code helm install --wait} of the chart with the local images and {@code values} (YAML,
     * may be empty) on top. The harness installed the CRDs from crds/ before the chart existed
     * here, as a cluster upgraded from a chart version with a crds/ directory has them: they are
     * handed to the release the way docs/install.md says, so the chart's CRD templates take them
     * over.
     */
    KubectlResult install(String values) throws IOException {
        for (String crd : CRDS) {
            cluster.kubectl(
                            "annotate",
                            "crd",
                            crd + ".packetparamedic.io",
                            "meta.helm.sh/release-name=" + RELEASE,
                            "meta.helm.sh/release-namespace=" + OPERATOR_NS,
                            "--overwrite")
                    .orThrow();
            cluster.kubectl(
                            "label",
                            "crd",
                            crd + ".packetparamedic.io",
                            "app.kubernetes.io/managed-by=Helm",
                            "--overwrite")
                    .orThrow();
        }
        Path chart = RepoLayout.requireRoot().resolve("charts/packetparamedic-operator");
        Path valuesFile = Files.createTempFile("operator-values", ".yaml");
        try {
            Files.writeString(valuesFile, values);
            return helm(
                    "install",
                    RELEASE,
                    chart.toString(),
                    "-n",
                    OPERATOR_NS,
                    "--create-namespace",
                    "--set",
                    "image.repository=" + OPERATOR_IMAGE.substring(0, OPERATOR_IMAGE.lastIndexOf(':')),
                    "--set",
                    "image.tag=dev",
                    "--set",
                    "image.pullPolicy=Never",
                    "--set",
                    "reflector.image=" + REFLECTOR_IMAGE,
                    "-f",
                    valuesFile.toString(),
                    "--wait",
                    "--timeout",
                    "180s");
        } finally {
            Files.deleteIfExists(valuesFile);
        }
    }

    KubectlResult uninstall() {
        return helm("uninstall", RELEASE, "-n", OPERATOR_NS, "--wait", "--timeout", "120s");
    }

    /** The operator's last log lines, for failure messages. */
    String operatorLog(int lines) {
        return cluster.kubectl(
                        "logs", "-n", OPERATOR_NS, "deploy/" + RELEASE + "-packetparamedic-operator", "--tail=" + lines)
                .stdout();
    }

    KubectlResult helm(String... args) {
        Path helm = helmBinary();
        List<String> cmd = new ArrayList<>(List.of(
                helm.toString(), "--kubeconfig", cluster.kubeconfigPath().toString()));
        cmd.addAll(List.of(args));
        return KubectlResult.of(Exec.of(cmd).timeout(Duration.ofMinutes(5)).run());
    }

    /** The helm that e2e/hack/tools.sh provisions (test-all.sh runs it before the tests). */
    static Path helmBinary() {
        try {
            Path tools = RepoLayout.requireRoot().resolve("e2e/hack/tools.sh");
            Process p = new ProcessBuilder("bash", tools.toString(), "bin-dir")
                    .redirectErrorStream(false)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            String dir = new String(p.getInputStream().readAllBytes()).strip();
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0 || dir.isEmpty()) {
                throw new AssertionError("e2e/hack/tools.sh bin-dir failed");
            }
            Path helm = Path.of(dir, "helm");
            Assumptions.assumeTrue(
                    Files.isExecutable(helm), "no helm at " + helm + ": run e2e/hack/tools.sh provision");
            return helm;
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
