package io.packetparamedic.reflector.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetparamedic.api.config.ReflectorConfig;
import io.packetparamedic.api.crd.AuthorizedPeer;
import io.packetparamedic.api.crd.AuthorizedPeerSpec;
import io.packetparamedic.api.crd.AuthorizedPeerStatus;
import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.reflector.governance.Governance;
import io.packetparamedic.reflector.governance.PeerFigures;
import io.packetparamedic.reflector.governance.PeerLimits;
import io.packetparamedic.reflector.governance.Verdict;
import io.packetparamedic.reflector.wire.DenyReason;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Seeding governance from AuthorizedPeer status: the restarted reflector keeps limiting. */
class GovernanceRestoreTest {

    static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");
    static final PeerLimits LIMITS = new PeerLimits(0, 3, 1_000_000);

    static AuthorizedPeerStatus status(String lastSeen, Integer testsLastHour, Long bytesToday, Long total) {
        AuthorizedPeerStatus s = new AuthorizedPeerStatus();
        s.lastSeenTime = lastSeen;
        s.testsLastHour = testsLastHour;
        s.bytesToday = bytesToday;
        s.totalSessions = total;
        return s;
    }

    @Test
    void aPeerAtItsHourlyLimitStaysLimitedUntilAnHourAfterItWasLastSeen() {
        Governance g = new Governance(Clock.fixed(NOW, ZoneOffset.UTC));
        String id = Ed25519Identity.generate().endpointId().toString();
        PeerFigures f = GovernanceRestore.figures(status("2026-11-22T11:40:00Z", 3, 500L, 7L), NOW);
        g.seed(id, f);

        Verdict now = g.check(id, LIMITS, NOW);
        assertThat(now.allowed()).isFalse();
        assertThat(now.reason()).isEqualTo(DenyReason.RATE_LIMITED);
        assertThat(now.retryAfterSec()).isEqualTo(Duration.ofMinutes(40).toSeconds());
        assertThat(g.check(id, LIMITS, Instant.parse("2026-11-22T12:40:01Z")).allowed())
                .isTrue();
        assertThat(g.snapshot().get(id).totalSessions()).isEqualTo(7);
        assertThat(g.snapshot().get(id).bytesToday()).isEqualTo(500);
    }

    @Test
    void countsOlderThanAnHourAndBytesOfAnotherDayAreDropped() {
        PeerFigures old = GovernanceRestore.figures(status("2026-11-22T10:59:59Z", 5, 100L, 9L), NOW);
        assertThat(old.testsLastHour()).isZero();
        assertThat(old.bytesToday()).isEqualTo(100);

        PeerFigures yesterday = GovernanceRestore.figures(status("2026-11-21T23:59:00Z", 0, 4_000L, 2L), NOW);
        assertThat(yesterday.bytesToday()).isZero();
        assertThat(yesterday.totalSessions()).isEqualTo(2);
    }

    @Test
    void aCountWithoutLastSeenIsPlacedNowAndAnEmptyStatusSeedsNothing() {
        PeerFigures f = GovernanceRestore.figures(status(null, 2, null, null), NOW);
        assertThat(f.testStartsLastHour()).containsExactly(NOW, NOW);
        assertThat(GovernanceRestore.figures(new AuthorizedPeerStatus(), NOW)).isNull();
    }

    @Test
    void seedReadsEveryPeerWithStatusAndRemembersWhatItSaw() {
        Governance g = new Governance(Clock.fixed(NOW, ZoneOffset.UTC));
        AuthorizedPeer seen = peer(
                "kitchen",
                Ed25519Identity.generate().endpointId().toString(),
                status("2026-11-22T11:59:00Z", 1, 10L, 1L));
        AuthorizedPeer fresh =
                peer("garage", Ed25519Identity.generate().endpointId().toString(), null);
        GovernanceRestore.Restored r = GovernanceRestore.seed(List.of(seen, fresh), g, NOW);

        assertThat(r.seeded()).isEqualTo(1);
        assertThat(r.statusByName()).containsOnlyKeys("kitchen");
        assertThat(r.statusByName().get("kitchen"))
                .isEqualTo(new StatusReports.Peer("2026-11-22T11:59:00Z", null, 1, 10, 1));
        assertThat(g.snapshot()).containsOnlyKeys(seen.getSpec().endpointId);
    }

    @Test
    void localizeMovesAuditLogAndStateToTheOverride() {
        ReflectorConfig c = new ReflectorConfig();
        KubeSettings s = KubeSettings.resolve(
                new InstanceRef("ns", "edge"),
                java.util.Map.of(KubeSettings.ENV_DATA_DIR, "/tmp/x"),
                java.util.Optional.empty());
        ReflectorConfig local = KubernetesServe.localize(c, s);
        assertThat(local.dataDir()).isEqualTo(java.nio.file.Path.of("/tmp/x"));
        assertThat(local.auditLogPath()).isEqualTo(java.nio.file.Path.of("/tmp/x/audit.jsonl"));
        // The configuration read from the Secret is left as it was: the override is a copy.
        assertThat(c.auditLogPath()).isEqualTo(new ReflectorConfig().auditLogPath());
    }

    static AuthorizedPeer peer(String name, String id, AuthorizedPeerStatus status) {
        AuthorizedPeer p = new AuthorizedPeer();
        p.getMetadata().setName(name);
        p.setSpec(new AuthorizedPeerSpec());
        p.getSpec().endpointId = id;
        p.setStatus(status);
        return p;
    }
}
