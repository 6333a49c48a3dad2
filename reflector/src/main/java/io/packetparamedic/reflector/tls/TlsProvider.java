package io.packetparamedic.reflector.tls;

import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.jsse.provider.BouncyCastleJsseProvider;

/**
 * The JSSE provider that speaks TLS on the control connection ({@code network.tls_provider},
 * {@code reflector client --tls-provider}). {@link #JDK} is the platform's SunJSSE; {@link #BC} is
 * BouncyCastle's BCJSSE, which offers the TLS 1.3 exporter (RFC 8446 section 7.5) that SunJSSE
 * only has from Java 25 on, and with it authenticated STAMP on Java 17.
 *
 * <p>BCJSSE is used as an SSLContext provider only, never installed process-wide: the JDK stays
 * the default for everything else, and its crypto (Ed25519 signatures, the fast X25519 of
 * {@link Curve25519Provider}) serves both providers through the JCA.
 */
public enum TlsProvider {
    JDK("jdk"),
    BC("bc");

    private final String setting;

    TlsProvider(String setting) {
        this.setting = setting;
    }

    /** The value of {@code network.tls_provider} / {@code --tls-provider} that names this provider. */
    public String setting() {
        return setting;
    }

    /** The provider a setting names; an unknown name is refused with the accepted ones. */
    public static TlsProvider fromSetting(String value) {
        String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        for (TlsProvider p : values()) {
            if (p.setting.equals(v)) return p;
        }
        throw new IllegalArgumentException("TLS provider must be \"jdk\" or \"bc\", got \"" + value + "\"");
    }

    /** A fresh, uninitialized {@link SSLContext} for {@code protocol} from this provider. */
    SSLContext sslContext(String protocol) throws NoSuchAlgorithmException {
        return this == JDK ? SSLContext.getInstance(protocol) : SSLContext.getInstance(protocol, Holder.BCJSSE);
    }

    /**
     * The randomness to initialize this provider's contexts with: null lets SunJSSE choose;
     * BCJSSE given none asks the JCA for a "DEFAULT" SecureRandom, which only BouncyCastle's own
     * JCA provider (not installed here) offers, so it gets the platform's.
     */
    SecureRandom random() {
        return this == JDK ? null : new SecureRandom();
    }

    /**
     * The key manager presenting {@code key} and {@code certificate} through this provider. BCJSSE
     * picks credentials for a signature scheme by the key's algorithm name, which must read
     * "Ed25519", and signs only with keys that say so; the JDK names its Ed25519 keys "EdDSA". So
     * for BCJSSE the key and the certificate are read again by BouncyCastle, whose keys say
     * "Ed25519" (the same key: only the Java objects differ).
     */
    IdentityKeyManager keyManager(PrivateKey key, X509Certificate certificate) {
        if (this == JDK) return new IdentityKeyManager(key, certificate);
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509", Holder.BC_JCA);
            X509Certificate bcCertificate =
                    (X509Certificate) factory.generateCertificate(new ByteArrayInputStream(certificate.getEncoded()));
            PrivateKey bcKey = KeyFactory.getInstance("Ed25519", Holder.BC_JCA)
                    .generatePrivate(new PKCS8EncodedKeySpec(key.getEncoded()));
            return new IdentityKeyManager(bcKey, bcCertificate);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot re-read the identity key for BCJSSE: " + e.getMessage(), e);
        }
    }

    /** One provider instance for the process, created on first use (its class graph is large). */
    private static final class Holder {
        static final Provider BCJSSE = new BouncyCastleJsseProvider();
        /** Only re-reads the identity (see {@link #keyManager}); never installed. */
        static final Provider BC_JCA = new BouncyCastleProvider();
    }
}
