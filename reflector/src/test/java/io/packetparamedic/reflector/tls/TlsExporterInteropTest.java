package io.packetparamedic.reflector.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.packetparamedic.api.identity.Ed25519Identity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reflector's TLS 1.3 exporter on BCJSSE ({@link BouncyCastleExporters}, which finishes
 * RFC 8446 section 7.5 itself) gives what an independent TLS stack gives for the same connection:
 * OpenSSL's {@code s_client -keymatexport}, a client with an Ed25519 certificate of its own.
 */
class TlsExporterInteropTest {

    private static final Pattern KEYING_MATERIAL = Pattern.compile("Keying material: ([0-9A-Fa-f]{64})");

    @TempDir
    Path dir;

    private static boolean hasOpenssl() {
        try {
            return new ProcessBuilder("openssl", "version").start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor()).as(new String(out, StandardCharsets.UTF_8)).isZero();
    }

    @Test
    void bcjsseExportsWhatOpensslExports() throws Exception {
        assumeTrue(hasOpenssl(), "openssl is not installed");
        Path key = dir.resolve("client-key.pem");
        Path cert = dir.resolve("client-cert.pem");
        run("openssl", "genpkey", "-algorithm", "ed25519", "-out", key.toString());
        run(
                "openssl",
                "req",
                "-new",
                "-x509",
                "-key",
                key.toString(),
                "-out",
                cert.toString(),
                "-days",
                "1",
                "-subj",
                "/CN=appliance");

        SSLContext server = ServerTlsContext.jdkContext(
                ServerTlsContext.create(Ed25519Identity.generate(), TlsProfile.DEFAULT_ALPN, TlsProvider.BC));
        try (SSLServerSocket listener =
                (SSLServerSocket) server.getServerSocketFactory().createServerSocket(0)) {
            listener.setNeedClientAuth(true);
            listener.setEnabledProtocols(new String[] {TlsProfile.PROTOCOL});
            CompletableFuture<Optional<byte[]>> exported = CompletableFuture.supplyAsync(() -> {
                try (SSLSocket accepted = (SSLSocket) listener.accept()) {
                    accepted.startHandshake();
                    KeyingMaterialExporter exporter = KeyingMaterialExporter.of(accepted);
                    Optional<byte[]> value = exporter.export(TlsExporterLabels.STAMP, null, 32);
                    accepted.getInputStream().read(); // until the client hangs up
                    // What the connection kept for its exporter goes when the reflector closes it.
                    exporter.forget();
                    assertThat(exporter.available()).isFalse();
                    assertThat(exporter.export(TlsExporterLabels.STAMP, null, 32))
                            .isEmpty();
                    return value;
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            Process client = new ProcessBuilder(
                            "openssl",
                            "s_client",
                            "-connect",
                            "127.0.0.1:" + listener.getLocalPort(),
                            "-tls1_3",
                            "-cert",
                            cert.toString(),
                            "-key",
                            key.toString(),
                            "-keymatexport",
                            TlsExporterLabels.STAMP,
                            "-keymatexportlen",
                            "32")
                    .redirectErrorStream(true)
                    .start();
            client.getOutputStream().close(); // EOF on stdin: s_client closes after the handshake
            String output = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(client.waitFor(20, TimeUnit.SECONDS)).isTrue();
            Matcher m = KEYING_MATERIAL.matcher(output);
            assertThat(m.find()).as(output).isTrue();
            Optional<byte[]> ours = exported.get(20, TimeUnit.SECONDS);
            assertThat(ours).isPresent();
            assertThat(HexFormat.of().formatHex(ours.get()))
                    .isEqualTo(m.group(1).toLowerCase(Locale.ROOT));
        }
    }
}
