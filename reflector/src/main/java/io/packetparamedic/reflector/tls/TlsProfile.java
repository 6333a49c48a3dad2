package io.packetparamedic.reflector.tls;

/** The Paramedic Link TLS profile (spec section 3). */
public final class TlsProfile {
    public static final String PROTOCOL = "TLSv1.3";
    /** The SNI host name appliances send. */
    public static final String SNI_HOST = "reflector";

    public static final String DEFAULT_ALPN = "pp-link/1";

    private TlsProfile() {}
}
