package io.packetparamedic.reflector.tls;

import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.util.Locale;
import javax.net.ssl.SSLContext;
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

    /** One provider instance for the process, created on first use (its class graph is large). */
    private static final class Holder {
        static final Provider BCJSSE = new BouncyCastleJsseProvider();
    }
}
