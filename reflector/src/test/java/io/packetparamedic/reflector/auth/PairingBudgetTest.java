package io.packetparamedic.reflector.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.packetparamedic.api.config.ReflectorConfig;
import io.packetparamedic.api.identity.EndpointId;
import java.net.InetAddress;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Issue 12 item 5: the attempt budget that keeps pairing codes from being guessed. */
class PairingBudgetTest extends AuditedAuthorizerTest {

    private static final String CODE = "K7MX2QPA";

    private static InetAddress address(int last) {
        return documentationAddress(198, 51, 100, last);
    }

    private static EndpointId id() {
        return newPeerId();
    }

    @Test
    void anAddressThatKeepsGuessingIsBlockedForLongerEachTimeAndEvenTheRightCodeFailsThen() throws Exception {
        auth.openWindow(Duration.ofMinutes(10), Optional.of(CODE));
        InetAddress guesser = address(7);
        for (int i = 0; i < PairingGuard.FREE_FAILURES; i++) {
            clock.advance(Duration.ofMillis(200)); // within the reflector-wide rate
            assertThat(auth.pair(id(), guesser, "AAAAAAA" + (char) ('A' + i)).message())
                    .isEqualTo(PairingOutcome.FAILED);
        }
        // Blocked for 1 s: the right code is refused untested.
        PairingOutcome blocked = auth.pair(id(), guesser, CODE);
        assertThat(blocked.success()).isFalse();
        assertThat(blocked.message())
                .isEqualTo("pairing failed: too many wrong codes from this address; try again in 1 s");
        // Each further failure doubles the block: 2 s, 4 s, 8 s …
        for (long expected : new long[] {2, 4, 8, 16}) {
            clock.advance(Duration.ofSeconds(expected / 2));
            assertThat(auth.pair(id(), guesser, "BBBBBBBB").message()).isEqualTo(PairingOutcome.FAILED);
            assertThat(auth.pair(id(), guesser, CODE).message()).endsWith("try again in " + expected + " s");
        }
        // Another address is not affected, and pairs with the right code.
        EndpointId appliance = id();
        assertThat(auth.pair(appliance, address(8), CODE).success()).isTrue();

        audit.flush(5, TimeUnit.SECONDS);
        String lines = Files.readString(dir.resolve("audit.jsonl"));
        // Every tested failure is audited with its source, and so is each block and the first refusal in it;
        // further untested refusals are not (their number is bounded by nothing but the peer).
        assertThat(lines.lines()
                        .filter(l -> l.contains("\"event_type\":\"pairing_failed\"") && l.contains("\"tested\":false")))
                .hasSize(5);
        assertThat(lines.lines().filter(l -> l.contains("\"event_type\":\"pairing_failed\"")))
                .hasSize(PairingGuard.FREE_FAILURES + 4 + 5);
        assertThat(lines.lines().filter(l -> l.contains("\"event_type\":\"pairing_blocked\"")))
                .hasSize(5);
        assertThat(lines).contains("\"remote_address\":\"198.51.100.7\"").doesNotContain(CODE);
    }

    @Test
    void theReflectorTestsAtMostTenAttemptsASecondWhateverTheirSource() throws Exception {
        auth.openWindow(Duration.ofMinutes(10), Optional.of(CODE));
        int tested = 0;
        for (int i = 0; i < 50; i++) {
            PairingOutcome o = auth.pair(id(), address(i + 1), "CCCCCCCC");
            if (o.message().equals(PairingOutcome.FAILED)) tested++;
            else assertThat(o.message()).contains("too many pairing attempts right now");
        }
        assertThat(tested).isEqualTo(PairingGuard.TESTED_PER_SECOND);
        clock.advance(Duration.ofMillis(500));
        assertThat(auth.pair(id(), address(200), CODE).success()).isTrue();
    }

    @Test
    void aWindowClosesAfterTooManyFailedAttemptsFromAnywhere() throws Exception {
        auth.openWindow(Duration.ofDays(1), Optional.of(CODE));
        for (int i = 0; i < PairingGuard.WINDOW_FAILURE_LIMIT; i++) {
            clock.advance(Duration.ofMillis(100));
            InetAddress source = InetAddress.getByAddress(new byte[] {10, (byte) (i >> 8), (byte) i, 1});
            assertThat(auth.pair(id(), source, "DDDDDDDD").message()).isEqualTo(PairingOutcome.FAILED);
        }
        assertThat(auth.pairingOpen()).isFalse();
        clock.advance(Duration.ofSeconds(1));
        assertThat(auth.pair(id(), address(9), CODE).success()).isFalse();
        audit.flush(5, TimeUnit.SECONDS);
        assertThat(Files.readString(dir.resolve("audit.jsonl"))).contains("\"event_type\":\"pairing_locked\"");
    }

    @Test
    void noCodeLivesLongerThanSevenDays() throws Exception {
        assertThatThrownBy(() -> auth.openWindow(Duration.ofDays(8), Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("pairing TTL must be at most 7 days");
        ReflectorConfig config = new ReflectorConfig();
        config.access.pairingCodes.add(new ReflectorConfig.PairingCode(CODE, null, "forever"));
        auth.apply(config);
        Instant seen = clock.instant();
        assertThat(auth.openWindow())
                .hasValueSatisfying(w -> assertThat(w.expiresAt()).hasValue(seen.plus(Duration.ofDays(7))));
        clock.advance(Duration.ofDays(3));
        auth.apply(config); // a reload does not restart the clock
        clock.advance(Duration.ofDays(4));
        assertThat(auth.pairingOpen()).isFalse();
        assertThat(auth.pair(id(), address(1), CODE).success()).isFalse();
    }
}
