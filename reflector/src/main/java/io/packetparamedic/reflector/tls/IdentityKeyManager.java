package io.packetparamedic.reflector.tls;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Presents the endpoint's one identity (Ed25519 key and self-signed certificate) for every
 * request. Handing Netty this instead of the key and certificate skips its key-store round trip,
 * which on a class path with BouncyCastle instantiates the whole BouncyCastle JCA provider
 * (hundreds of classes and a few MiB at start-up) only to load a key the JDK already holds.
 */
public final class IdentityKeyManager extends X509ExtendedKeyManager {

    private static final String ALIAS = "identity";

    private final PrivateKey key;
    private final X509Certificate[] chain;

    public IdentityKeyManager(PrivateKey key, X509Certificate certificate) {
        this.key = key;
        this.chain = new X509Certificate[] {certificate};
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return new String[] {ALIAS};
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        // A TLS 1.3 client is asked for its certificate after the server's Finished: BCJSSE's
        // exporter secret exists now and is gone once the handshake completes.
        BouncyCastleExporters.capture(socket);
        return ALIAS;
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
        BouncyCastleExporters.capture(engine);
        return ALIAS;
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return new String[] {ALIAS};
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return ALIAS;
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return ALIAS;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        return ALIAS.equals(alias) ? chain.clone() : null;
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        return ALIAS.equals(alias) ? key : null;
    }
}
