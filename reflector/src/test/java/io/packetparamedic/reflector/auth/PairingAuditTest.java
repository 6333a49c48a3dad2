package io.packetparamedic.reflector.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.packetparamedic.api.identity.EndpointId;
import java.net.InetAddress;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Every kind of failed pairing attempt reaches the audit log with a reason that tells them apart. */
class PairingAuditTest extends AuditedAuthorizerTest {

    private static InetAddress address(int last) {
        return documentationAddress(203, 0, 113, last);
    }

    private static EndpointId id() {
        return newPeerId();
    }

    private List<JsonNode> events(String type) throws Exception {
        audit.flush(5, TimeUnit.SECONDS);
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> found = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("audit.jsonl"))) {
            JsonNode n = json.readTree(line);
            if (n.path("event_type").asText().equals(type)) found.add(n);
        }
        return found;
    }

    private List<String> failureReasons() throws Exception {
        return events("pairing_failed").stream()
                .map(n -> n.path("reason").asText())
                .toList();
    }

    @Test
    void wrongExpiredUsedClosedAndReplacedCodesAreAuditedWithTheirOwnReason() throws Exception {
        auth.openWindow(Duration.ofMinutes(1), Optional.of("AAAAAAAA"));
        assertThat(auth.pair(id(), address(1), "BBBBBBBB").success()).isFalse(); // wrong
        clock.advance(Duration.ofMinutes(2));
        assertThat(auth.pair(id(), address(2), "AAAAAAAA").success()).isFalse(); // expired

        auth.openWindow(Duration.ofMinutes(10), Optional.of("CCCCCCCC"));
        assertThat(auth.pair(id(), address(3), "CCCCCCCC").success()).isTrue();
        assertThat(auth.pair(id(), address(4), "CCCCCCCC").success()).isFalse(); // used

        auth.openWindow(Duration.ofMinutes(10), Optional.of("DDDDDDDD"));
        auth.openWindow(Duration.ofMinutes(10), Optional.of("EEEEEEEE"));
        assertThat(auth.pair(id(), address(5), "DDDDDDDD").success()).isFalse(); // replaced
        assertThat(auth.closeLocalWindow()).isPresent();
        assertThat(auth.pairingOpen()).isFalse();
        assertThat(auth.pair(id(), address(6), "EEEEEEEE").success()).isFalse(); // closed
        assertThat(auth.pair(id(), address(7), "not-a-code").success()).isFalse(); // malformed

        assertThat(failureReasons())
                .containsExactly(
                        "wrong code",
                        "expired code",
                        "code already used",
                        "code of a window replaced by a newer one",
                        "code of a window closed by the operator",
                        "malformed code");
        assertThat(events("pairing_failed")).allSatisfy(n -> {
            assertThat(n.path("decision").asText()).isEqualTo("denied");
            assertThat(n.path("remote_address").asText()).startsWith("203.0.113.");
            assertThat(n.path("peer_id").asText()).startsWith("PP-");
        });
        assertThat(events("pairing_closed")).hasSize(1);
        assertThat(Files.readString(dir.resolve("audit.jsonl")))
                .doesNotContain("AAAAAAAA", "BBBBBBBB", "CCCCCCCC", "DDDDDDDD", "EEEEEEEE");
        assertThat(auth.closeLocalWindow()).as("nothing left to close").isEmpty();
    }

    @Test
    void aBruteForceLockoutIsAuditedOnceWhenItStartsAndOnceWhenItFirstRefuses() throws Exception {
        auth.openWindow(Duration.ofMinutes(10), Optional.of("K7MX2QPA"));
        InetAddress guesser = address(9);
        for (int i = 0; i < PairingGuard.FREE_FAILURES; i++) {
            clock.advance(Duration.ofMillis(200));
            auth.pair(id(), guesser, "ZZZZZZZ" + (char) ('A' + i));
        }
        for (int i = 0; i < 20; i++) auth.pair(id(), guesser, "K7MX2QPA"); // refused untested while blocked

        List<JsonNode> blocked = events("pairing_blocked");
        assertThat(blocked).hasSize(1);
        assertThat(blocked.get(0).path("remote_address").asText()).isEqualTo("203.0.113.9");
        assertThat(blocked.get(0).path("params").path("blocked_for_sec").asLong())
                .isEqualTo(1);
        assertThat(blocked.get(0).path("params").path("failures_from_address").asInt())
                .isEqualTo(PairingGuard.FREE_FAILURES);
        List<JsonNode> refusals = events("pairing_failed").stream()
                .filter(n -> n.path("params").path("tested").isBoolean())
                .toList();
        assertThat(refusals).hasSize(1);
        assertThat(refusals.get(0).path("reason").asText()).isEqualTo("address blocked after 5 wrong codes");
    }

    @Test
    void theReflectorWideThrottleIsAuditedOncePerEpisode() throws Exception {
        auth.openWindow(Duration.ofMinutes(10), Optional.of("K7MX2QPA"));
        for (int i = 0; i < 40; i++) auth.pair(id(), address(i + 1), "YYYYYYYY");
        clock.advance(Duration.ofSeconds(1));
        for (int i = 0; i < 40; i++) auth.pair(id(), address(i + 100), "YYYYYYYY");

        List<String> throttled = failureReasons().stream()
                .filter(r -> r.contains("reflector-wide"))
                .toList();
        assertThat(throttled)
                .containsExactly(
                        "more than 10 pairing attempts a second (reflector-wide)",
                        "more than 10 pairing attempts a second (reflector-wide)");
    }
}
