package io.packetparamedic.reflector.session;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.packetparamedic.reflector.engine.DataPlaneRefusal;
import io.packetparamedic.reflector.wire.DenyReason;
import java.util.function.IntSupplier;

/**
 * The session layer's meters on one registry: active sessions, grants by test type, denials by
 * reason, bytes by test type and refused data-plane connections by reason. Every tag value is registered up front, so each series exists at
 * zero from start-up and {@code rate()} works on a fresh reflector; tag values come from fixed
 * vocabularies, never peer IDs.
 */
final class SessionMeters {

    static final String SESSIONS_ACTIVE = "reflector.sessions.active";
    static final String SESSIONS_GRANTED = "reflector.sessions.granted";
    static final String SESSIONS_DENIED = "reflector.sessions.denied";
    static final String SESSION_BYTES = "reflector.session.bytes";
    static final String DATAPLANE_REFUSED = "reflector.dataplane.refused";

    private final MeterRegistry registry;

    SessionMeters(MeterRegistry registry, IntSupplier activeSessions) {
        this.registry = registry;
        Gauge.builder(SESSIONS_ACTIVE, activeSessions, IntSupplier::getAsInt)
                .description("Sessions granted and not yet ended")
                .strongReference(true)
                .register(registry);
        for (TestType t : TestType.values()) {
            granted(t);
            bytes(t);
        }
        for (DenyReason r : DenyReason.values()) denied(r.wire());
        for (DataPlaneRefusal.Reason r : DataPlaneRefusal.Reason.values()) refused(r);
    }

    Counter granted(TestType type) {
        return Counter.builder(SESSIONS_GRANTED)
                .tag("test_type", type.wire())
                .description("Sessions granted")
                .register(registry);
    }

    Counter denied(String reason) {
        return Counter.builder(SESSIONS_DENIED)
                .tag("reason", reason)
                .description("Session requests denied, by session_deny reason")
                .register(registry);
    }

    Counter refused(DataPlaneRefusal.Reason reason) {
        return Counter.builder(DATAPLANE_REFUSED)
                .tag("reason", reason.wire())
                .description("Connections to granted data ports refused, by reason")
                .register(registry);
    }

    Counter bytes(TestType type) {
        return Counter.builder(SESSION_BYTES)
                .tag("test_type", type.wire())
                .description("Bytes moved by completed sessions")
                .register(registry);
    }
}
