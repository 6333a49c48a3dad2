package io.packetparamedic.reflector.tls;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.api.identity.IdentityException;
import io.packetparamedic.api.identity.SelfSignedCertificate;
import java.security.cert.X509Certificate;
import java.util.Optional;
import javax.net.ssl.SSLException;

/**
 * The server side of the Paramedic Link TLS profile: TLS 1.3 only, the JDK provider (it handles
 * Ed25519 mutual TLS), a client certificate required, ALPN required with a fatal alert when the
 * client offers only other protocols. A client that offers no ALPN at all still completes the
 * JDK handshake; the server's identity handler rejects such a connection right after it.
 */
public final class ServerTlsContext {

    private ServerTlsContext() {}

    public static SslContext create(Ed25519Identity identity, String alpn) {
        Curve25519Provider.install();
        X509Certificate certificate = SelfSignedCertificate.create(identity);
        try {
            return SslContextBuilder.forServer(identity.privateKey(), certificate)
                    .sslProvider(SslProvider.JDK)
                    .protocols(TlsProfile.PROTOCOL)
                    .clientAuth(ClientAuth.REQUIRE)
                    .trustManager(new PermissiveTrustManager(Optional.empty()))
                    .applicationProtocolConfig(new ApplicationProtocolConfig(
                            ApplicationProtocolConfig.Protocol.ALPN,
                            ApplicationProtocolConfig.SelectorFailureBehavior.FATAL_ALERT,
                            ApplicationProtocolConfig.SelectedListenerFailureBehavior.FATAL_ALERT,
                            alpn))
                    .build();
        } catch (SSLException e) {
            throw new IdentityException("cannot build the server TLS context: " + e.getMessage(), e);
        }
    }
}
