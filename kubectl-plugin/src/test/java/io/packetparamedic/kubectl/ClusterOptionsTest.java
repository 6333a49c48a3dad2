package io.packetparamedic.kubectl;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** kubectl's cluster flags, and what a user sees when the cluster cannot be used. No API server needed. */
class ClusterOptionsTest {

    @TempDir
    Path dir;

    @Test
    void anUnknownContextIsRefusedNotReplacedByTheCurrentOne() throws Exception {
        Path kubeconfig = kubeconfig(closedPort());
        StringWriter err = new StringWriter();
        int code = run(err, "status", "edge", "--kubeconfig", kubeconfig.toString(), "--context", "nope");
        assertThat(code).isEqualTo(ExitCodes.FAILED);
        assertThat(err.toString()).isEqualTo("error: context \"nope\" not found in the kubeconfig\n");
    }

    @Test
    void anUnreachableApiServerIsOneLineAndQuick() throws Exception {
        Path kubeconfig = kubeconfig(closedPort());
        StringWriter err = new StringWriter();
        long t0 = System.nanoTime();
        int code = run(err, "status", "edge", "--kubeconfig", kubeconfig.toString(), "--context", "lab");
        long millis = (System.nanoTime() - t0) / 1_000_000;
        assertThat(code).isEqualTo(ExitCodes.FAILED);
        assertThat(err.toString())
                .startsWith("error: cannot reach the API server: ConnectException")
                .hasLineCount(1);
        // No retries with back-off (the client's default waits about 25 s).
        assertThat(millis).isLessThan(10_000);
    }

    @Test
    void aMissingKubeconfigFileIsNamed() {
        StringWriter err = new StringWriter();
        assertThat(run(err, "doctor", "--kubeconfig", dir.resolve("absent").toString()))
                .isEqualTo(ExitCodes.FAILED);
        assertThat(err.toString()).isEqualTo("error: cannot read kubeconfig " + dir.resolve("absent") + "\n");
    }

    private static int run(StringWriter err, String... args) {
        CommandLine cl = KubectlPacketParamedic.commandLine();
        cl.setOut(new PrintWriter(new StringWriter(), true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    /** A loopback port nothing listens on (bound, then released). */
    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private Path kubeconfig(int port) throws Exception {
        Path file = dir.resolve("kubeconfig");
        Files.writeString(file, """
                apiVersion: v1
                kind: Config
                clusters:
                - name: c
                  cluster:
                    server: https://127.0.0.1:%d
                    insecure-skip-tls-verify: true
                users:
                - name: u
                  user:
                    token: not-a-secret
                contexts:
                - name: lab
                  context:
                    cluster: c
                    user: u
                    namespace: lab
                current-context: lab
                """.formatted(port));
        return file;
    }
}
