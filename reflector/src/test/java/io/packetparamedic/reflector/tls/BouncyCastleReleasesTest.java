package io.packetparamedic.reflector.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * bcprov, bcpkix and bcutil must come from one BouncyCastle release: they call into each other's
 * internals, and a mixed set fails only when a class is first initialized (a NoSuchFieldError
 * while creating a certificate, in a child JVM of the netns tests, once bctls brought an older
 * bcutil). bctls alone may lag (reflector/pom.xml says why).
 */
class BouncyCastleReleasesTest {

    private static final Pattern RELEASE = Pattern.compile("-jdk18on-([0-9.]+)\\.jar$");

    private static String releaseOf(String className) throws Exception {
        Path jar = Path.of(Class.forName(className)
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
        Matcher m = RELEASE.matcher(jar.getFileName().toString());
        assertThat(m.find()).as("a BouncyCastle jar: %s", jar).isTrue();
        return m.group(1);
    }

    @Test
    void providerPkixAndUtilitiesAreOneRelease() throws Exception {
        String prov = releaseOf("org.bouncycastle.jce.provider.BouncyCastleProvider");
        assertThat(releaseOf("org.bouncycastle.cert.X509v3CertificateBuilder"))
                .as("bcpkix")
                .isEqualTo(prov);
        assertThat(releaseOf("org.bouncycastle.asn1.cmp.PKIBody")).as("bcutil").isEqualTo(prov);
    }
}
