package io.packetparamedic.reflector.session;

import java.util.Optional;

/** The test types of spec section 5, by wire name. */
public enum TestType {
    THROUGHPUT("throughput"),
    UDP_ECHO("udp_echo"),
    /** RFC 8762 STAMP, unauthenticated; admitted, limited and pinned exactly as udp_echo. */
    STAMP("stamp");

    private final String wire;

    TestType(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    public static Optional<TestType> fromWire(String name) {
        for (TestType t : values()) {
            if (t.wire.equals(name)) return Optional.of(t);
        }
        return Optional.empty();
    }
}
