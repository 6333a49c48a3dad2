package io.packetparamedic.reflector.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.packetparamedic.api.config.ReflectorConfig;
import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.api.identity.EndpointId;
import io.packetparamedic.reflector.audit.AuditLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuthorizerTest {

    private static final Instant NOW = Instant.parse("2026-02-12T15:00:00Z");
    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);

    @TempDir
    Path dir;

    private AuditLog audit;

    @BeforeEach
    void openAudit() {
        audit = new AuditLog(dir.resolve("audit.jsonl"), "PP-TEST", clock);
    }

    @AfterEach
    void closeAudit() {
        audit.close();
    }

    private static EndpointId id() {
        return Ed25519Identity.generate().endpointId();
    }

    private Authorizer authorizer(ReflectorConfig config) {
        return new Authorizer(config, PeerStore.open(dir, clock), audit, clock);
    }

    @Test
    void accessFollowsAllowlistAndPairingWindows() {
        EndpointId listed = id();
        EndpointId named = id();
        ReflectorConfig config = new ReflectorConfig();
        config.access.authorizedPeers.add(listed.toString().toLowerCase());
        config.access.peers.add(new ReflectorConfig.Peer(named.toString(), "pi"));
        Authorizer auth = authorizer(config);

        assertThat(auth.access(listed)).isEqualTo(AccessLevel.FULL);
        assertThat(auth.access(named)).isEqualTo(AccessLevel.FULL);
        assertThat(auth.access(id())).isEqualTo(AccessLevel.DENIED);
        auth.openWindow(Duration.ofMinutes(5), Optional.empty());
        assertThat(auth.access(id())).isEqualTo(AccessLevel.PAIRING_ONLY);
        assertThat(auth.authorizedPeerCount()).isEqualTo(2);
    }

    @Test
    void configCodesHonourExpiryAndCarryTheirWindowName() throws Exception {
        ReflectorConfig config = new ReflectorConfig();
        config.access.pairingCodes.add(new ReflectorConfig.PairingCode("AAAABBBB", "2026-02-12T14:59:59Z", "ns/old"));
        config.access.pairingCodes.add(
                new ReflectorConfig.PairingCode("CCCCDDDD", "2026-02-12T15:10:00+00:00", "ns/new"));
        Authorizer auth = authorizer(config);

        assertThat(auth.openWindow())
                .hasValue(new OpenPairingWindow("ns/new", Optional.of(Instant.parse("2026-02-12T15:10:00Z"))));
        EndpointId peer = id();
        assertThat(auth.pair(peer, "AAAABBBB").success()).isFalse();
        PairingOutcome ok = auth.pair(peer, "ccccdddd");
        assertThat(ok.success()).isTrue();
        assertThat(ok.window()).hasValue("ns/new");
        assertThat(auth.access(peer)).isEqualTo(AccessLevel.FULL);
        assertThat(auth.pairingOpen()).isFalse();
        // Pairing again as an authorized peer succeeds without needing a code.
        assertThat(auth.pair(peer, "ZZZZZZZZ"))
                .isEqualTo(new PairingOutcome(true, "already authorized", Optional.empty()));
        audit.flush(5, TimeUnit.SECONDS);
        String lines = Files.readString(dir.resolve("audit.jsonl"));
        assertThat(lines).contains("\"event_type\":\"pairing_enabled\"").contains("\"event_type\":\"peer_paired\"");
        assertThat(lines).doesNotContain("CCCCDDDD").doesNotContain("AAAABBBB");
    }

    @Test
    void applyReportsPeersThatLostAuthorizationButNotPairedOnes() {
        EndpointId stays = id();
        EndpointId goes = id();
        EndpointId paired = id();
        Authorizer auth = authorizer(new ReflectorConfig());
        auth.openWindow(Duration.ofMinutes(1), Optional.of("EEEEFFFF"));
        assertThat(auth.pair(paired, "EEEEFFFF").success()).isTrue();

        ReflectorConfig before = new ReflectorConfig();
        before.access.authorizedPeers.add(stays.toString());
        before.access.authorizedPeers.add(goes.toString());
        before.access.authorizedPeers.add(paired.toString());
        assertThat(auth.apply(before)).isEmpty();

        ReflectorConfig after = new ReflectorConfig();
        after.access.authorizedPeers.add(stays.toString());
        // The paired peer stays authorized through the peer file.
        assertThat(auth.apply(after)).containsExactly(goes);
        assertThat(auth.access(goes)).isEqualTo(AccessLevel.DENIED);
        assertThat(auth.access(paired)).isEqualTo(AccessLevel.FULL);
    }

    @Test
    void windowArgumentsAreValidated() {
        Authorizer auth = authorizer(new ReflectorConfig());
        assertThatThrownBy(() -> auth.openWindow(Duration.ZERO, Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> auth.openWindow(Duration.ofMinutes(1), Optional.of("SHORT")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> auth.openWindow(Duration.ofMinutes(1), Optional.of("O0O0O0O0")))
                .isInstanceOf(IllegalArgumentException.class);
        PairingWindowInfo info = auth.openWindow(Duration.ofMinutes(10), Optional.empty());
        assertThat(info.expiresAt()).isEqualTo(NOW.plusSeconds(600));
        assertThat(info.toString()).doesNotContain(info.code());
        // A new local window replaces the previous one.
        PairingWindowInfo second = auth.openWindow(Duration.ofMinutes(10), Optional.empty());
        assertThat(auth.pair(id(), info.code()).success()).isEqualTo(info.code().equals(second.code()));
    }

    @Test
    void knownPeersListConfiguredOnesInFileOrderThenPairedOnesAndResolveByNameIdOrPrefix() throws Exception {
        ReflectorConfig config = new ReflectorConfig();
        EndpointId[] listed = new EndpointId[6];
        for (int i = 0; i < listed.length; i++) {
            listed[i] = id();
            config.access.peers.add(new ReflectorConfig.Peer(listed[i].toString(), "peer-" + i));
        }
        Authorizer auth = authorizer(config);
        auth.openWindow(Duration.ofMinutes(5), Optional.of("K7MX2QPA"));
        EndpointId paired = id();
        assertThat(auth.pair(paired, "K7MX2QPA").success()).isTrue();

        assertThat(auth.knownPeers())
                .extracting(Authorizer.KnownPeer::id)
                .containsExactly(listed[0], listed[1], listed[2], listed[3], listed[4], listed[5], paired);
        assertThat(auth.knownPeers().get(6).paired()).hasValueSatisfying(p -> {
            assertThat(p.window()).isEqualTo(Authorizer.LOCAL_WINDOW);
            assertThat(p.pairedAt()).isEqualTo(NOW.toString());
        });
        assertThat(auth.resolve("PEER-3")).isEqualTo(listed[3]);
        assertThat(auth.resolve(paired.toString().toLowerCase())).isEqualTo(paired);
        assertThat(auth.resolve(paired.toString().substring(0, 17))).isEqualTo(paired);
        assertThatThrownBy(() -> auth.resolve("PP-")).hasMessageContaining("no authorized peer is named");
        assertThatThrownBy(() -> auth.resolve(id().toString()))
                .hasMessageStartingWith("no authorized peer has Endpoint ID");
        assertThat(auth.isConfigured(listed[0])).isTrue();
        assertThat(auth.isConfigured(paired)).isFalse();
    }
}
