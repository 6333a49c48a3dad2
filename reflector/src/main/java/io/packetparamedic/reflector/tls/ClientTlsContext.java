package io.packetparamedic.reflector.tls;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;
import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.api.identity.EndpointId;
import io.packetparamedic.api.identity.IdentityException;
import io.packetparamedic.api.identity.SelfSignedCertificate;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;

/**
 * The appliance side of the Paramedic Link TLS profile: presents the identity's self-signed
 * certificate, sends SNI {@code reflector}, offers the ALPN protocol(s), speaks TLS 1.3 only
 * (unless a test asks for another version) and, when given one, accepts only the server whose
 * certificate key yields the pinned Endpoint ID.
 *
 * <p>{@link #netty()} serves event-loop clients; {@link #connect} opens a blocking socket.
 */
public final class ClientTlsContext {

    private final SslContext netty;
    private final SSLContext jdk;
    private final List<String> alpn;
    private final List<String> protocols;
    private final TlsProvider provider;

    private ClientTlsContext(SslContext netty, List<String> alpn, List<String> protocols, TlsProvider provider) {
        this.netty = netty;
        this.jdk = ((JdkSslContext) netty).context();
        this.alpn = alpn;
        this.protocols = protocols;
        this.provider = provider;
    }

    /** The standard profile: TLS 1.3, ALPN {@code alpn}, optional pin. */
    public static ClientTlsContext create(Ed25519Identity identity, Optional<EndpointId> pinnedServer, String alpn) {
        return create(identity, pinnedServer, alpn, TlsProvider.JDK);
    }

    /** The standard profile spoken through {@code provider}. */
    public static ClientTlsContext create(
            Ed25519Identity identity, Optional<EndpointId> pinnedServer, String alpn, TlsProvider provider) {
        return create(
                identity,
                SelfSignedCertificate.create(identity),
                pinnedServer,
                List.of(alpn),
                List.of(TlsProfile.PROTOCOL),
                provider);
    }

    /**
     * A context with every knob exposed, for tests that must show what the server refuses: a
     * certificate other than the identity's own (impersonation), no or other ALPN protocols (an
     * empty list offers none), other TLS versions. A null identity presents no certificate.
     */
    public static ClientTlsContext create(
            Ed25519Identity identity,
            X509Certificate certificate,
            Optional<EndpointId> pinnedServer,
            List<String> alpn,
            List<String> protocols) {
        return create(identity, certificate, pinnedServer, alpn, protocols, TlsProvider.JDK);
    }

    /** As {@link #create(Ed25519Identity, X509Certificate, Optional, List, List)}, through {@code provider}. */
    public static ClientTlsContext create(
            Ed25519Identity identity,
            X509Certificate certificate,
            Optional<EndpointId> pinnedServer,
            List<String> alpn,
            List<String> protocols,
            TlsProvider provider) {
        Curve25519Provider.install();
        try {
            // Built here and wrapped, not through SslContextBuilder: see ServerTlsContext.
            SSLContext context = provider.sslContext("TLS");
            context.init(
                    identity == null
                            ? null
                            : new KeyManager[] {provider.keyManager(identity.privateKey(), certificate)},
                    new TrustManager[] {new PermissiveTrustManager(pinnedServer)},
                    provider.random());
            ApplicationProtocolConfig apn = alpn.isEmpty()
                    ? ApplicationProtocolConfig.DISABLED
                    : new ApplicationProtocolConfig(
                            ApplicationProtocolConfig.Protocol.ALPN,
                            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                            alpn);
            SslContext netty = new JdkSslContext(
                    context,
                    true,
                    null,
                    IdentityCipherSuiteFilter.INSTANCE,
                    apn,
                    ClientAuth.NONE,
                    protocols.toArray(String[]::new),
                    false);
            return new ClientTlsContext(netty, List.copyOf(alpn), List.copyOf(protocols), provider);
        } catch (GeneralSecurityException e) {
            throw new IdentityException("cannot build the client TLS context: " + e.getMessage(), e);
        }
    }

    /** For Netty clients: {@code netty().newHandler(alloc, TlsProfile.SNI_HOST, port)} sends the SNI. */
    public SslContext netty() {
        return netty;
    }

    /**
     * Connects a blocking TLS socket and completes the handshake. The socket's read timeout is
     * {@code readTimeout}; the caller owns the socket.
     */
    public SSLSocket connect(InetSocketAddress address, Duration connectTimeout, Duration readTimeout)
            throws IOException {
        // A BCJSSE client can only read its exporter secret mid-handshake (BouncyCastleExporters).
        ExporterCapturingSocket capturing = provider == TlsProvider.BC ? new ExporterCapturingSocket() : null;
        Socket plain = capturing != null ? capturing : new Socket();
        try {
            plain.setTcpNoDelay(true);
            plain.connect(address, Math.toIntExact(connectTimeout.toMillis()));
            plain.setSoTimeout(Math.toIntExact(readTimeout.toMillis()));
            SSLSocket socket = (SSLSocket)
                    jdk.getSocketFactory().createSocket(plain, TlsProfile.SNI_HOST, address.getPort(), true);
            if (capturing != null) capturing.layeredUnder(socket);
            SSLParameters params = socket.getSSLParameters();
            params.setProtocols(protocols.toArray(String[]::new));
            params.setServerNames(List.of(new SNIHostName(TlsProfile.SNI_HOST)));
            params.setApplicationProtocols(alpn.toArray(String[]::new));
            socket.setSSLParameters(params);
            socket.startHandshake();
            return socket;
        } catch (IOException | RuntimeException e) {
            plain.close();
            throw e;
        }
    }
}
