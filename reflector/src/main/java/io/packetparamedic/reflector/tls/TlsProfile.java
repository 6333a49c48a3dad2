package io.packetparamedic.reflector.tls;

import java.util.List;

/** The Paramedic Link TLS profile (spec section 3). */
public final class TlsProfile {
    public static final String PROTOCOL = "TLSv1.3";
    /** The SNI host name appliances send. */
    public static final String SNI_HOST = "reflector";

    public static final String DEFAULT_ALPN = "pp-link/1";

    /**
     * The TLS 1.3 cipher suites a reflector accepts, in the order it prefers them: all three of
     * RFC 8446, ChaCha20-Poly1305 first. The launcher runs the JVM with the C1 compiler only
     * (bench/footprint), which has no AES-NI or carry-less-multiply path, so AES-GCM is table
     * look-ups and a bit-serial GHASH there; ChaCha20-Poly1305 is plain 32- and 64-bit arithmetic
     * and costs the server about 9 % less CPU per handshake (bench/footprint/README.md). The
     * deployed appliance client (rustls defaults) offers all three; a client that offers only an
     * AES suite gets it. (With {@code network.tls_provider = "bc"} BCJSSE applies its own order,
     * AES-128-GCM first, to the suites it is given.)
     */
    public static final List<String> SERVER_CIPHER_SUITES =
            List.of("TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384");

    private TlsProfile() {}
}
