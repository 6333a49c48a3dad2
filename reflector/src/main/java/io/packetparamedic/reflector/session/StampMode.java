package io.packetparamedic.reflector.session;

import java.util.Optional;

/**
 * The STAMP modes of RFC 8762 section 4 a {@code stamp} session can run in, by the wire name of
 * {@code params.stamp_mode} and the grant's {@code stamp_modes}.
 */
public enum StampMode {
    /** TWAMP-Light compatible; what a request without {@code stamp_mode} gets. */
    UNAUTHENTICATED("unauthenticated"),
    /** HMAC-SHA-256 keyed from the control connection's TLS 1.3 exporter. */
    AUTHENTICATED("authenticated");

    private final String wire;

    StampMode(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    /** The mode a request names; null names the default, unauthenticated. */
    public static Optional<StampMode> fromWire(String name) {
        if (name == null) return Optional.of(UNAUTHENTICATED);
        for (StampMode m : values()) {
            if (m.wire.equals(name)) return Optional.of(m);
        }
        return Optional.empty();
    }
}
