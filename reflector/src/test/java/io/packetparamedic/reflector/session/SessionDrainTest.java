package io.packetparamedic.reflector.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetparamedic.api.config.ReflectorConfig;
import io.packetparamedic.reflector.wire.Payload;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20 item 6, the session layer's rules while draining: nothing running means drained at
 * once; a newcomer is refused busy with retry_after_sec; a peer whose test was running gets one
 * follow-up that fits the drain period, and not a second one, nor one that would outlast it.
 */
class SessionDrainTest {

    @TempDir
    Path dir;

    private static ReflectorConfig config() {
        ReflectorConfig cfg = SessionHarness.config();
        cfg.quotas.maxConcurrentTests = 4;
        cfg.quotas.cooldownSec = 0;
        return cfg;
    }

    @Test
    void withNothingRunningTheDrainEndsAtOnce() throws Exception {
        try (SessionHarness h = new SessionHarness(dir, config())) {
            CompletableFuture<Void> drained = h.manager.drain(Duration.ofSeconds(75));
            drained.get(1, TimeUnit.SECONDS);
            Payload refused = h.request(SessionHarness.peer(), SessionHarness.udpEcho(5));
            assertThat(refused).isInstanceOf(Payload.SessionDeny.class);
            assertThat(((Payload.SessionDeny) refused).reason()).isEqualTo("busy");
            assertThat(((Payload.SessionDeny) refused).retryAfterSec()).isEqualTo(SessionDrain.RESTART_ALLOWANCE_SEC);
        }
    }

    @Test
    void aRunningPeerGetsOneFollowUpThatFitsAndNewcomersAreRefused() throws Exception {
        try (SessionHarness h = new SessionHarness(dir, config())) {
            PeerContext running = SessionHarness.peer();
            Payload.SessionGrant first = h.grant(running, SessionHarness.udpEcho(2));
            CompletableFuture<Void> drained = h.manager.drain(Duration.ofSeconds(30));

            Payload.SessionDeny newcomer =
                    (Payload.SessionDeny) h.request(SessionHarness.peer(), SessionHarness.udpEcho(2));
            assertThat(newcomer.reason()).isEqualTo("busy");
            assertThat(newcomer.message()).contains("restarting");
            // Until the running test expires (2 s + 5 s grace), then the restart.
            assertThat(newcomer.retryAfterSec())
                    .isBetween(
                            SessionDrain.RESTART_ALLOWANCE_SEC + 1,
                            SessionDrain.RESTART_ALLOWANCE_SEC + 2 + Session.GRACE_SEC);

            Payload tooLong = h.request(running, SessionHarness.udpEcho(26)); // 26 + 5 s grace > 30 s
            assertThat(tooLong).as("a follow-up that would outlast the drain").isInstanceOf(Payload.SessionDeny.class);
            Payload.SessionGrant followUp = h.grant(running, SessionHarness.udpEcho(2));
            Payload second = h.request(running, SessionHarness.udpEcho(2));
            assertThat(second).as("one follow-up only").isInstanceOf(Payload.SessionDeny.class);
            assertThat(drained).isNotDone();

            h.awaitEnded(first.testId());
            h.awaitEnded(followUp.testId());
            drained.get(5, TimeUnit.SECONDS);
        }
    }
}
