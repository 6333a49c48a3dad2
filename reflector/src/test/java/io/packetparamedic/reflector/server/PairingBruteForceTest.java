package io.packetparamedic.reflector.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.reflector.auth.PairingOutcome;
import io.packetparamedic.reflector.client.LinkClient;
import io.packetparamedic.reflector.wire.Payload;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 item 5, the attack as the review ran it: one process guessing codes as fast as it can,
 * opening a new connection whenever the per-connection cap of 5 failures closes one (1,327
 * guesses a second before). The budget now lets only a handful be tested, and the right code
 * from the guessing address fails while it is blocked.
 */
class PairingBruteForceTest {

    private static final String CODE = "K7MX2QPA";
    private static final Duration ATTACK = Duration.ofSeconds(3);
    private static final Pattern WAIT = Pattern.compile("try again in (\\d+) s");

    @TempDir
    Path dir;

    private TestReflector server;

    @BeforeEach
    void start() throws IOException {
        server = TestReflector.start(dir, c -> {});
        server.reflector.openPairingWindow(Duration.ofMinutes(10), Optional.of(CODE));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void oneProcessGuessingFromOneAddressGetsAHandfulOfCodesTested() throws Exception {
        Ed25519Identity guesser = Ed25519Identity.generate();
        long attempts = 0;
        long tested = 0;
        long connections = 0;
        long end = System.nanoTime() + ATTACK.toNanos();
        int guess = 0;
        while (System.nanoTime() < end) {
            connections++;
            try (LinkClient c = server.connect(guesser)) {
                while (System.nanoTime() < end) {
                    Payload.PairResponse r = c.pair(String.format(Locale.ROOT, "AAAA%04d", guess++)
                            .replace('0', 'B')
                            .replace('1', 'C'));
                    attempts++;
                    if (r.message().equals(PairingOutcome.FAILED)) tested++;
                    else assertThat(r.message()).startsWith("pairing failed: too many wrong codes from this address");
                }
            } catch (IOException closedAfterFiveFailures) {
                // the per-connection cap closed it: reconnect, as the attacker did
            }
        }
        double seconds = ATTACK.toMillis() / 1000.0;
        System.out.printf(
                Locale.ROOT,
                "pairing brute force from one address: %d attempts in %.0f s (%.0f/s) over %d connections,"
                        + " %d tested against the window (%.1f/s)%n",
                attempts,
                seconds,
                attempts / seconds,
                connections,
                tested,
                tested / seconds);
        // 5 free failures, then blocks of 1 s and 2 s: at most 7 codes tested in 3 s, however fast it asks.
        assertThat(tested).isBetween(5L, 7L);
        assertThat(attempts).isGreaterThan(tested);
        // The right code from the guessing address fails while it is blocked: wait for a refusal
        // that leaves at least a second of the block, then present the right code at once.
        boolean triedTheRightCode = false;
        while (!triedTheRightCode) {
            try (LinkClient c = server.connect(guesser)) {
                Payload.PairResponse r = c.pair("ZZZZZZZZ");
                Matcher wait = WAIT.matcher(r.message());
                if (wait.find() && Integer.parseInt(wait.group(1)) >= 2) {
                    assertThat(c.pair(CODE).success()).isFalse();
                    triedTheRightCode = true;
                }
            }
        }
        assertThat(server.reflector.authorizer().pairingOpen()).isTrue();
    }
}
