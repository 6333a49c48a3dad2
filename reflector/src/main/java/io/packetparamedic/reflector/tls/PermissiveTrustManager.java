package io.packetparamedic.reflector.tls;

import io.packetparamedic.api.identity.EndpointId;
import io.packetparamedic.api.identity.SelfSignedCertificate;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Optional;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trust at the TLS layer for self-signed Paramedic Link certificates. Chain validation is
 * deliberately skipped (spec section 3): every endpoint's certificate is self-signed, and who may
 * do what is decided after the handshake from the Endpoint ID derived from the certificate key,
 * whose possession TLS 1.3's CertificateVerify proves. What is checked here is only what makes a
 * certificate usable as an identity at all (an Ed25519 key) and, when a pin is given, that the
 * key is the pinned one.
 */
final class PermissiveTrustManager extends X509ExtendedTrustManager {

    private static final X509Certificate[] NO_ISSUERS = new X509Certificate[0];

    private final Optional<EndpointId> pinned;

    PermissiveTrustManager(Optional<EndpointId> pinned) {
        this.pinned = pinned;
    }

    private void check(X509Certificate[] chain) throws CertificateException {
        if (chain == null || chain.length == 0) throw new CertificateException("no certificate presented");
        Optional<EndpointId> keyId = SelfSignedCertificate.keyEndpointId(chain[0]);
        if (keyId.isEmpty()) throw new CertificateException("certificate key is not Ed25519");
        if (pinned.isPresent() && !pinned.get().equals(keyId.get())) {
            throw new CertificateException("server Endpoint ID " + keyId.get() + " is not the pinned " + pinned.get());
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        check(chain);
        BouncyCastleExporters.capture(socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        check(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        check(chain);
        // The client's certificate arrives after the server's Finished: BCJSSE's exporter secret
        // exists now and is gone once the handshake completes (see BouncyCastleExporters).
        BouncyCastleExporters.capture(engine);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        check(chain);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return NO_ISSUERS;
    }
}
