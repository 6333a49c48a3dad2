package io.packetparamedic.reflector.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetparamedic.api.config.ReflectorConfig;
import io.packetparamedic.reflector.audit.AuditLog;
import io.packetparamedic.reflector.governance.SteadyClock;
import io.packetparamedic.reflector.governance.SteppedTime;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20 item 4: pairing codes last the time they were given, whatever the system clock does
 * meanwhile: a step forward does not close a window early, a step back does not keep it open.
 */
class PairingClockStepTest {

    private static final Instant T0 = Instant.parse("2026-11-30T12:00:00Z");

    @TempDir
    Path dir;

    private final SteppedTime time = new SteppedTime(T0);

    @Test
    void aLocalWindowLastsItsTtlAcrossClockSteps() {
        try (AuditLog audit = new AuditLog(dir.resolve("audit.jsonl"), "PP-TEST", time.steadyClock())) {
            SteadyClock clock = time.steadyClock();
            Authorizer auth = new Authorizer(new ReflectorConfig(), PeerStore.open(dir, clock), audit, clock);
            auth.openWindow(Duration.ofMinutes(10), Optional.empty());

            time.step(Duration.ofHours(1));
            assertThat(auth.pairingOpen())
                    .as("stepped forward an hour: still 10 minutes left")
                    .isTrue();
            time.step(Duration.ofHours(-3));
            time.elapse(Duration.ofMinutes(9));
            assertThat(auth.pairingOpen()).isTrue();
            time.elapse(Duration.ofMinutes(1));
            assertThat(auth.pairingOpen())
                    .as("stepped back two hours: closed on time all the same")
                    .isFalse();
        }
    }

    @Test
    void aConfiguredCodeExpiresAfterTheTimeThatWasLeftWhenItWasRead() {
        try (AuditLog audit = new AuditLog(dir.resolve("audit.jsonl"), "PP-TEST", time.steadyClock())) {
            SteadyClock clock = time.steadyClock();
            ReflectorConfig config = new ReflectorConfig();
            config.access.pairingCodes.add(new ReflectorConfig.PairingCode(
                    "ABCD2345", time.wallNow().plus(Duration.ofMinutes(10)).toString(), "ns/window"));
            Authorizer auth = new Authorizer(config, PeerStore.open(dir, clock), audit, clock);
            assertThat(auth.pairingOpen()).isTrue();

            time.step(Duration.ofMinutes(30));
            assertThat(auth.pairingOpen())
                    .as("a clock step forward does not expire it")
                    .isTrue();
            time.elapse(Duration.ofMinutes(10));
            assertThat(auth.pairingOpen()).isFalse();
        }
    }
}
