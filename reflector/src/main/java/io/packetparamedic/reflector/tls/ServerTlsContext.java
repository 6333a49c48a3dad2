package io.packetparamedic.reflector.tls;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.DelegatingSslContext;
import io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;
import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.api.identity.IdentityException;
import io.packetparamedic.api.identity.SelfSignedCertificate;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.Optional;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;

/**
 * The server side of the Paramedic Link TLS profile: TLS 1.3 only, the JDK provider (it handles
 * Ed25519 mutual TLS), a client certificate required, a fatal {@code no_application_protocol}
 * alert when the client offers ALPN without our protocol. A client that offers no ALPN at all
 * completes the handshake; the server's identity handler serves it as {@code pp-link/1} (the
 * deployed appliance client sends no ALPN) unless {@code network.require_alpn} is set.
 *
 * <p>The JDK {@link SSLContext} is built here and wrapped, rather than through Netty's
 * {@code SslContextBuilder}: that path's server context class, when first loaded, parses a PEM
 * key to probe the JDK, and with BouncyCastle on the class path does so by instantiating the
 * BouncyCastle JCA provider (some 300 classes and a few MiB of an idle reflector's memory).
 * {@link Curve25519Provider} makes the handshake's curve operations cheap.
 *
 * <p>The JSSE provider is the JDK's unless {@code network.tls_provider = "bc"} asks for BCJSSE
 * ({@link TlsProvider}): the same profile, ALPN rules and client-certificate checks either way.
 */
public final class ServerTlsContext {

    /**
     * {@code -D}{@value}{@code =true} lets the server issue TLS 1.3 session tickets. Off by default:
     * each ticket costs the server a key derivation, an encryption and a record on every full
     * handshake (or a session-cache entry held for a day), and the deployed appliance client builds
     * a new rustls configuration, and with it a new session cache, for every connection
     * (FIELD-CLIENT.md), so it never presents one.
     */
    public static final String SESSION_TICKETS_PROPERTY = "reflector.tls.session-tickets";

    private static final int NO_TICKETS_TIMEOUT_SECONDS = 7 * 24 * 3600 + 1;

    private ServerTlsContext() {}

    public static SslContext create(Ed25519Identity identity, String alpn) {
        return create(identity, alpn, TlsProvider.JDK);
    }

    public static SslContext create(Ed25519Identity identity, String alpn, TlsProvider provider) {
        Curve25519Provider.install();
        X509Certificate certificate = SelfSignedCertificate.create(identity);
        try {
            SSLContext context = provider.sslContext(TlsProfile.PROTOCOL);
            context.init(
                    new KeyManager[] {provider.keyManager(identity.privateKey(), certificate)},
                    new TrustManager[] {new PermissiveTrustManager(Optional.empty())},
                    provider.random());
            if (!Boolean.getBoolean(SESSION_TICKETS_PROPERTY)) {
                // SunJSSE produces no TLS 1.3 NewSessionTicket when the session timeout exceeds
                // the 7-day ticket lifetime cap (RFC 8446 4.6.1); JDK 17 has no other switch.
                // BCJSSE issues no TLS 1.3 tickets as a server at all; the setting is harmless there.
                context.getServerSessionContext().setSessionTimeout(NO_TICKETS_TIMEOUT_SECONDS);
            }
            return new ServerCipherOrder(new JdkSslContext(
                    context,
                    false,
                    TlsProfile.SERVER_CIPHER_SUITES,
                    IdentityCipherSuiteFilter.INSTANCE,
                    new ApplicationProtocolConfig(
                            ApplicationProtocolConfig.Protocol.ALPN,
                            ApplicationProtocolConfig.SelectorFailureBehavior.FATAL_ALERT,
                            ApplicationProtocolConfig.SelectedListenerFailureBehavior.FATAL_ALERT,
                            alpn),
                    ClientAuth.REQUIRE,
                    new String[] {TlsProfile.PROTOCOL},
                    false));
        } catch (GeneralSecurityException e) {
            throw new IdentityException("cannot build the server TLS context: " + e.getMessage(), e);
        }
    }

    /** The JSSE context under a context {@link #create} made (tests: plain server sockets with the same setup). */
    static SSLContext jdkContext(SslContext context) {
        return ((ServerCipherOrder) context).jdk.context();
    }

    /**
     * Makes every server engine choose the cipher suite by its own order
     * ({@link TlsProfile#SERVER_CIPHER_SUITES}) rather than the client's: BCJSSE follows the
     * client's unless told otherwise.
     */
    private static final class ServerCipherOrder extends DelegatingSslContext {
        private final JdkSslContext jdk;

        ServerCipherOrder(JdkSslContext context) {
            super(context);
            this.jdk = context;
        }

        @Override
        protected void initEngine(SSLEngine engine) {
            SSLParameters parameters = engine.getSSLParameters();
            if (!parameters.getUseCipherSuitesOrder()) {
                parameters.setUseCipherSuitesOrder(true);
                engine.setSSLParameters(parameters);
            }
        }
    }
}
