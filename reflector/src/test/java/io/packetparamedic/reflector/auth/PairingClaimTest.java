package io.packetparamedic.reflector.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetparamedic.api.config.ReflectorConfig;
import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.api.identity.EndpointId;
import io.packetparamedic.reflector.audit.AuditLog;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the Authorizer acts on each claim result; the claim on a real API server is in the e2e tests. */
class PairingClaimTest {

    private static final Instant NOW = Instant.parse("2026-02-12T15:00:00Z");
    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);

    @TempDir
    Path dir;

    private AuditLog audit;
    private final AtomicReference<PairingClaim.Result> answer = new AtomicReference<>(PairingClaim.Result.WON);
    private final List<String> claims = new ArrayList<>();

    @BeforeEach
    void openAudit() {
        audit = new AuditLog(dir.resolve("audit.jsonl"), "PP-TEST", clock);
    }

    @AfterEach
    void closeAudit() {
        audit.close();
    }

    private Authorizer authorizer() {
        ReflectorConfig config = new ReflectorConfig();
        config.access.pairingCodes.add(new ReflectorConfig.PairingCode("CCCCDDDD", "2026-02-12T15:10:00Z", "ns/w"));
        Authorizer auth = new Authorizer(config, PeerStore.open(dir, clock), audit, clock);
        auth.claimWith((peer, window) -> {
            synchronized (claims) {
                claims.add(window + " " + peer);
            }
            return answer.get();
        });
        return auth;
    }

    private static EndpointId id() {
        return Ed25519Identity.generate().endpointId();
    }

    @Test
    void unavailableAcceptsNothingAndKeepsTheCodeOpenForTheRetry() {
        Authorizer auth = authorizer();
        EndpointId peer = id();
        answer.set(PairingClaim.Result.UNAVAILABLE);
        PairingOutcome refused = auth.pair(peer, "CCCCDDDD");
        assertThat(refused.success()).isFalse();
        assertThat(refused.message()).isEqualTo(Authorizer.CLAIM_UNAVAILABLE);
        assertThat(auth.isAuthorized(peer)).isFalse();
        assertThat(auth.pairingOpen()).as("the code stays open").isTrue();
        // A reload of the same config does not lose it either.
        ReflectorConfig same = new ReflectorConfig();
        same.access.pairingCodes.add(new ReflectorConfig.PairingCode("CCCCDDDD", "2026-02-12T15:10:00Z", "ns/w"));
        auth.apply(same);

        answer.set(PairingClaim.Result.WON);
        assertThat(auth.pair(peer, "CCCCDDDD").success()).isTrue();
        assertThat(auth.isAuthorized(peer)).isTrue();
        assertThat(claims).containsExactly("ns/w " + peer, "ns/w " + peer);
        assertThat(auth.pairingOpen()).isFalse();
    }

    @Test
    void spentElsewhereEndsTheWindowHereWithoutAuthorizing() {
        Authorizer auth = authorizer();
        EndpointId peer = id();
        answer.set(PairingClaim.Result.SPENT);
        PairingOutcome refused = auth.pair(peer, "CCCCDDDD");
        assertThat(refused.success()).isFalse();
        assertThat(refused.message()).isEqualTo(Authorizer.SPENT_ELSEWHERE);
        assertThat(auth.isAuthorized(peer)).isFalse();
        assertThat(auth.pairingOpen()).isFalse();
        answer.set(PairingClaim.Result.WON);
        assertThat(auth.pair(id(), "CCCCDDDD").success())
                .as("a spent code is not tried again")
                .isFalse();
        assertThat(claims).hasSize(1);
    }

    @Test
    void duringAClaimNoSecondPeerHereCanTakeTheWindow() throws Exception {
        Authorizer auth = authorizer();
        CountDownLatch claiming = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        auth.claimWith((peer, window) -> {
            claiming.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return PairingClaim.Result.WON;
        });
        EndpointId first = id();
        CompletableFuture<PairingOutcome> slow = CompletableFuture.supplyAsync(() -> auth.pair(first, "CCCCDDDD"));
        assertThat(claiming.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(auth.pair(id(), "CCCCDDDD").success()).isFalse();
        release.countDown();
        assertThat(slow.get(10, TimeUnit.SECONDS).success()).isTrue();
    }

    @Test
    void theAdminChannelsWindowIsNeverClaimed() {
        Authorizer auth = authorizer();
        auth.openWindow(Duration.ofMinutes(5), Optional.of("EEEEFFFF"));
        answer.set(PairingClaim.Result.UNAVAILABLE);
        assertThat(auth.pair(id(), "EEEEFFFF").success()).isTrue();
        assertThat(claims).isEmpty();
    }
}
