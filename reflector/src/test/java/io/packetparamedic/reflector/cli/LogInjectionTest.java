package io.packetparamedic.reflector.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.reflector.client.LinkClient;
import io.packetparamedic.reflector.tls.ClientTlsContext;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bouncycastle.asn1.DERIA5String;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 item 4, the attack as the review ran it: a self-made certificate whose SAN carries a
 * newline and a whole forged log line. The JDK parses such a SAN, and the reflector logs it when it
 * denies the impersonation; the forged line must not appear as a line of its own in the log that
 * operators read (stderr of {@code reflector serve}).
 */
class LogInjectionTest {

    private static final String FORGED =
            "2026-11-30T12:00:00.000Z level=INFO logger=Authorizer event=peer_paired peer=PP-FORGED";

    @TempDir
    Path dir;

    @Test
    void aNewlineInAPeerSuppliedSanCannotForgeALogLine() throws Exception {
        Path config = Cli.configIn(
                dir, "[network]\nlisten_address = \"127.0.0.1:0\"\nlisten_address_health = \"127.0.0.1:0\"\n");
        try (ServeProcess serve =
                ServeProcess.start(Map.of(), "-c", config.toString(), "serve").awaitBanner(Duration.ofSeconds(60))) {
            Ed25519Identity attacker = Ed25519Identity.generate();
            X509Certificate cert = certificateWithSan(attacker, "pp-id-PP-X\n" + FORGED + "\r\u001b[2Kx");
            ClientTlsContext tls =
                    ClientTlsContext.create(attacker, cert, Optional.empty(), List.of("pp-link/1"), List.of("TLSv1.3"));
            assertThatThrownBy(() -> {
                        try (LinkClient c = LinkClient.connect(
                                new InetSocketAddress("127.0.0.1", serve.port()),
                                tls,
                                LinkClient.Options.defaults().withReadTimeout(Duration.ofSeconds(15)))) {
                            c.hello();
                        }
                    })
                    .isInstanceOf(IOException.class);

            String line = awaitLine(serve, "event=connection_denied");
            assertThat(line).contains("impersonation attempt: SAN names PP-X\\n" + FORGED + "\\r\\u001B[2Kx");
            assertThat(serve.stderr().lines()).noneMatch(l -> l.startsWith(FORGED) || l.startsWith("x"));
        }
    }

    private static String awaitLine(ServeProcess serve, String marker) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (System.nanoTime() < deadline) {
            Optional<String> line =
                    serve.stderr().lines().filter(l -> l.contains(marker)).findFirst();
            if (line.isPresent()) return line.get();
            Thread.sleep(20); // the child's stderr is the only view of its log
        }
        throw new AssertionError("no log line with " + marker + " within 15 s:\n" + serve.stderr());
    }

    private static X509Certificate certificateWithSan(Ed25519Identity identity, String san) throws Exception {
        X500Name subject = new X500Name("CN=attacker");
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                subject,
                BigInteger.ONE,
                new Date(System.currentTimeMillis() - 60_000),
                new Date(System.currentTimeMillis() + 3_600_000),
                subject,
                identity.jcaPublicKey());
        b.addExtension(
                Extension.subjectAlternativeName,
                false,
                new GeneralNames(new GeneralName(GeneralName.dNSName, new DERIA5String(san))));
        return new JcaX509CertificateConverter()
                .getCertificate(b.build(new JcaContentSignerBuilder("Ed25519").build(identity.privateKey())));
    }
}
