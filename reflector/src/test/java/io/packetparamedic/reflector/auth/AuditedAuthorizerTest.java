package io.packetparamedic.reflector.auth;

import io.packetparamedic.api.config.ReflectorConfig;
import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.api.identity.EndpointId;
import io.packetparamedic.reflector.StepClock;
import io.packetparamedic.reflector.audit.AuditLog;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** An Authorizer on a stepped clock writing a real audit log in a temporary directory. */
abstract class AuditedAuthorizerTest {

    @TempDir
    Path dir;

    final StepClock clock = new StepClock(Instant.parse("2026-11-30T12:00:00Z"));
    AuditLog audit;
    Authorizer auth;

    @BeforeEach
    void openAuthorizer() {
        audit = new AuditLog(dir.resolve("audit.jsonl"), "PP-TEST", clock);
        auth = new Authorizer(new ReflectorConfig(), PeerStore.open(dir, clock), audit, clock);
    }

    @AfterEach
    void closeAudit() {
        audit.close();
    }

    static EndpointId newPeerId() {
        return Ed25519Identity.generate().endpointId();
    }

    /** An address in a documentation range (RFC 5737), e.g. {@code documentationAddress(203, 0, 113, 7)}. */
    static InetAddress documentationAddress(int a, int b, int c, int last) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) last});
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
