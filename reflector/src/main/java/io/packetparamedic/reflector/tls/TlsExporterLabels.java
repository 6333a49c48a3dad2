package io.packetparamedic.reflector.tls;

/** The TLS exporter labels (RFC 8446 section 7.5) this project uses; ASCII, as the RFC requires. */
public final class TlsExporterLabels {

    /** The key of an authenticated STAMP session (docs/protocol.md, "Authenticated STAMP"). */
    public static final String STAMP = "EXPORTER-pp-link-stamp";

    private TlsExporterLabels() {}
}
