package io.packetparamedic.reflector.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.reflector.client.LinkClient;
import io.packetparamedic.reflector.governance.WallClock;
import io.packetparamedic.reflector.wire.Payload;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20 item 4 end to end: {@code reflector serve} with the test-only clock offset
 * ({@link WallClock}) has its clock stepped two hours back and then forward while a peer is in
 * its 30 s cooldown. The audit log's timestamps show each step took effect; the cooldown does not
 * move: never two hours of lock-out, never cleared early.
 */
class ClockStepServeTest {

    private static final long STEP_SEC = 7200;
    private static final int COOLDOWN_SEC = 30;

    @TempDir
    Path dir;

    @Test
    void aSteppedClockMovesTheAuditTimestampsButNotTheCooldown() throws Exception {
        Ed25519Identity appliance = Ed25519Identity.generate();
        Path offset = dir.resolve("clock-offset");
        Files.writeString(offset, "0");
        Path config = Cli.configIn(
                dir,
                "[network]\nlisten_address = \"127.0.0.1:0\"\nlisten_address_health = \"127.0.0.1:0\"\n"
                        + "[quotas]\ncooldown_sec = " + COOLDOWN_SEC + "\n"
                        + "[access]\nauthorized_peers = [\"" + appliance.endpointId() + "\"]\n");
        List<String> command = ServeProcess.cliCommand(
                List.of("-D" + WallClock.OFFSET_FILE_PROPERTY + "=" + offset), "-c", config.toString(), "serve");
        try (ServeProcess serve = ServeProcess.start(Map.of(), command).awaitBanner(Duration.ofSeconds(60));
                LinkClient c =
                        LinkClient.connect("127.0.0.1", serve.port(), appliance, LinkClient.Options.defaults())) {
            c.hello();
            Payload grant = c.sessionRequest("udp_echo", new Payload.SessionParams(1, null, null, null));
            assertThat(grant).isInstanceOf(Payload.SessionGrant.class);
            c.sessionClose(((Payload.SessionGrant) grant).testId());

            Files.writeString(offset, Long.toString(-STEP_SEC));
            Payload.SessionDeny back = denialOnceStepped(c, -STEP_SEC);
            assertThat(back.reason()).isEqualTo("rate_limited");
            assertThat(back.retryAfterSec())
                    .as("the cooldown's remainder, not two hours more")
                    .isBetween(1L, (long) COOLDOWN_SEC);

            Files.writeString(offset, Long.toString(STEP_SEC));
            Payload.SessionDeny forward = denialOnceStepped(c, STEP_SEC);
            assertThat(forward.reason())
                    .as("two hours forward do not clear a 30 s cooldown")
                    .isEqualTo("rate_limited");
            assertThat(forward.retryAfterSec()).isBetween(1L, (long) COOLDOWN_SEC);
            System.out.printf(
                    "clock stepped -%d s then +%d s: retry_after_sec %d, then %d (cooldown %d s)%n",
                    STEP_SEC, STEP_SEC, back.retryAfterSec(), forward.retryAfterSec(), COOLDOWN_SEC);
        }
    }

    /**
     * Asks for a test until the reflector's audit line for the denial carries the stepped time
     * (the offset file is re-read every 100 ms), and returns that denial.
     */
    private Payload.SessionDeny denialOnceStepped(LinkClient c, long stepSec) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            Payload reply = c.sessionRequest("udp_echo", new Payload.SessionParams(1, null, null, null));
            assertThat(reply).isInstanceOf(Payload.SessionDeny.class);
            Instant stamped = lastDenialTimestamp(deadline);
            long shift = Duration.between(Instant.now(), stamped).toSeconds();
            if (Math.abs(shift - stepSec) < 60) return (Payload.SessionDeny) reply;
            if (System.nanoTime() > deadline)
                throw new AssertionError("the clock step did not take effect: shift " + shift + " s");
            Thread.sleep(50); // the offset file is polled by the reflector; nothing to await
        }
    }

    /** The timestamp of the newest session_denied audit line (the writer runs a moment behind). */
    private Instant lastDenialTimestamp(long deadline) throws Exception {
        while (true) {
            List<JsonNode> lines = AuditLines.read(dir.resolve("state/audit.jsonl"));
            for (int i = lines.size() - 1; i >= 0; i--) {
                JsonNode line = lines.get(i);
                if (line.path("event_type").asText().equals("session_denied")) {
                    return Instant.parse(line.path("timestamp").asText());
                }
            }
            if (System.nanoTime() > deadline) throw new AssertionError("no session_denied audit line");
            Thread.sleep(20); // polled: the audit file of another process
        }
    }
}
