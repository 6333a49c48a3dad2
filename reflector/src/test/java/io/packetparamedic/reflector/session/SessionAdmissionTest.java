package io.packetparamedic.reflector.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetparamedic.api.config.ReflectorConfig;
import io.packetparamedic.reflector.wire.Payload;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Admission decisions of a real SessionManager (spec section 7), driven directly. */
class SessionAdmissionTest {

    @TempDir
    java.nio.file.Path dir;

    @Test
    void twentyConcurrentRequestsWithOneSlotYieldExactlyOneGrant() throws Exception {
        ReflectorConfig cfg = SessionHarness.config();
        cfg.quotas.maxConcurrentTests = 1;
        try (SessionHarness h = new SessionHarness(dir, cfg)) {
            CountDownLatch go = new CountDownLatch(1);
            List<CompletableFuture<Payload>> answers = new ArrayList<>();
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                CompletableFuture<Payload> answer = new CompletableFuture<>();
                answers.add(answer);
                PeerContext peer = SessionHarness.peer();
                Thread t = new Thread(() -> {
                    try {
                        go.await();
                        h.requestAsync(peer, SessionHarness.throughput(5, 1, false))
                                .whenComplete((p, e) -> {
                                    if (e != null) answer.completeExceptionally(e);
                                    else answer.complete(p);
                                });
                    } catch (InterruptedException e) {
                        answer.completeExceptionally(e);
                    }
                });
                t.start();
                threads.add(t);
            }
            go.countDown();
            List<Payload> results = new ArrayList<>();
            for (CompletableFuture<Payload> a : answers) results.add(a.get(30, TimeUnit.SECONDS));
            long grants = results.stream()
                    .filter(p -> p instanceof Payload.SessionGrant)
                    .count();
            List<String> denyReasons = results.stream()
                    .filter(p -> p instanceof Payload.SessionDeny)
                    .map(p -> ((Payload.SessionDeny) p).reason())
                    .distinct()
                    .toList();
            assertThat(grants).isEqualTo(1);
            assertThat(denyReasons).containsExactly("busy");
            Payload.SessionDeny busy = (Payload.SessionDeny) results.stream()
                    .filter(p -> p instanceof Payload.SessionDeny)
                    .findFirst()
                    .orElseThrow();
            // busy clears when the running session expires: 5 s duration + 5 s grace.
            assertThat(busy.retryAfterSec()).isBetween(8L, 10L);
            assertThat(h.manager.activeSessions()).hasSize(1);
        }
    }

    @Test
    void tenTestsPerHourThenRateLimitedUntilTheOldestLeavesTheWindow() throws Exception {
        ReflectorConfig cfg = SessionHarness.config();
        cfg.quotas.maxTestsPerHourPerPeer = 10;
        cfg.quotas.cooldownSec = 0;
        try (SessionHarness h = new SessionHarness(dir, cfg)) {
            PeerContext peer = SessionHarness.peer();
            for (int i = 0; i < 10; i++) {
                Payload.SessionGrant g = h.grant(peer, SessionHarness.udpEcho(1));
                assertThat(h.close(peer, g.testId())).isInstanceOf(Payload.Ok.class);
                h.awaitEnded(g.testId());
                h.clock.advance(Duration.ofSeconds(60));
            }
            // The first test started 600 s ago (plus the few real seconds the loop took), so the
            // window frees a slot in 3000 s minus those.
            Payload answer = h.request(peer, SessionHarness.udpEcho(1));
            assertThat(answer).isInstanceOf(Payload.SessionDeny.class);
            Payload.SessionDeny deny = (Payload.SessionDeny) answer;
            assertThat(deny.reason()).isEqualTo("rate_limited");
            assertThat(deny.retryAfterSec()).isBetween(2990L, 3000L);

            // Past that moment, the peer may test again.
            h.clock.advance(Duration.ofSeconds(deny.retryAfterSec()));
            assertThat(h.request(peer, SessionHarness.udpEcho(1))).isInstanceOf(Payload.SessionGrant.class);
        }
    }

    @Test
    void aRequestWithinTheCooldownIsRateLimited() throws Exception {
        ReflectorConfig cfg = SessionHarness.config();
        cfg.quotas.cooldownSec = 30;
        try (SessionHarness h = new SessionHarness(dir, cfg)) {
            PeerContext peer = SessionHarness.peer();
            Payload.SessionGrant g = h.grant(peer, SessionHarness.udpEcho(1));
            h.close(peer, g.testId());
            h.awaitEnded(g.testId());
            h.clock.advance(Duration.ofSeconds(10));
            Payload.SessionDeny deny = (Payload.SessionDeny) h.request(peer, SessionHarness.udpEcho(1));
            assertThat(deny.reason()).isEqualTo("rate_limited");
            assertThat(deny.retryAfterSec()).isBetween(18L, 20L);
            h.clock.advance(Duration.ofSeconds(deny.retryAfterSec()));
            assertThat(h.request(peer, SessionHarness.udpEcho(1))).isInstanceOf(Payload.SessionGrant.class);
        }
    }

    @Test
    void streamsAboveMaxAreInvalidParams() throws Exception {
        ReflectorConfig cfg = SessionHarness.config();
        cfg.iperf3.maxStreams = 8;
        try (SessionHarness h = new SessionHarness(dir, cfg)) {
            Payload.SessionDeny deny =
                    (Payload.SessionDeny) h.request(SessionHarness.peer(), SessionHarness.throughput(5, 9, false));
            assertThat(deny.reason()).isEqualTo("invalid_params");
            assertThat(deny.message()).contains("streams");
            assertThat(h.manager.testsToday()).isZero();
            assertThat(h.auditLines())
                    .anySatisfy(l ->
                            assertThat(l).contains("\"session_denied\"").contains("streams must be between 1 and 8"));
        }
    }

    @Test
    void unknownTypeIsInvalidAndDisabledTypeIsUnauthorized() throws Exception {
        ReflectorConfig cfg = SessionHarness.config();
        cfg.quotas.allowUdpEcho = false;
        try (SessionHarness h = new SessionHarness(dir, cfg)) {
            Payload.SessionDeny unknown = (Payload.SessionDeny) h.request(
                    SessionHarness.peer(),
                    new Payload.SessionRequest("ping_flood", new Payload.SessionParams(5, null, null, null)));
            assertThat(unknown.reason()).isEqualTo("invalid_params");
            Payload.SessionDeny disabled =
                    (Payload.SessionDeny) h.request(SessionHarness.peer(), SessionHarness.udpEcho(5));
            assertThat(disabled.reason()).isEqualTo("invalid_params");
            assertThat(disabled.message())
                    .isEqualTo("udp_echo tests are switched off on this reflector (quotas.allow_udp_echo = false)");
            Payload.SessionDeny noDuration = (Payload.SessionDeny) h.request(
                    SessionHarness.peer(),
                    new Payload.SessionRequest("throughput", new Payload.SessionParams(null, "tcp", 1, false)));
            assertThat(noDuration.reason()).isEqualTo("invalid_params");
        }
    }

    @Test
    void aDurationOverTheMaximumIsDeniedNamingTheLimitAndTheMaximumIsGrantedWithGrace() throws Exception {
        ReflectorConfig cfg = SessionHarness.config();
        cfg.quotas.maxTestDurationSec = 7;
        try (SessionHarness h = new SessionHarness(dir, cfg)) {
            // The deployed appliance runs iperf3 for the duration it asked for, whatever the grant
            // says: a clamped grant would be cut in the middle of its run, so it is refused instead.
            Payload.SessionDeny tooLong =
                    (Payload.SessionDeny) h.request(SessionHarness.peer(), SessionHarness.udpEcho(8));
            assertThat(tooLong.reason()).isEqualTo("invalid_params");
            assertThat(tooLong.message())
                    .isEqualTo(
                            "a 8 s test is longer than this reflector allows: at most 7 s per test (max_test_duration_sec)");
            assertThat(h.manager.testsToday()).isZero();

            java.time.Instant before = h.clock.instant();
            Payload.SessionGrant g = h.grant(SessionHarness.peer(), SessionHarness.udpEcho(7));
            long expiresIn = Duration.between(before, java.time.Instant.parse(g.expiresAt()))
                    .toSeconds();
            assertThat(expiresIn).isBetween(11L, 12L); // 7 s + 5 s grace, expires_at in whole seconds
            assertThat(g.mode()).isEqualTo("direct_ephemeral");
            assertThat(g.port()).isBetween(cfg.network.dataPortRangeStart, cfg.network.dataPortRangeEnd);
        }
    }

    @Test
    void iperf3MissingIsBusyWithTheCauseAndAudited() throws Exception {
        ReflectorConfig cfg = SessionHarness.config();
        cfg.iperf3.path = dir.resolve("no-such-iperf3").toString();
        try (SessionHarness h = new SessionHarness(dir, cfg)) {
            PeerContext peer = SessionHarness.peer();
            Payload.SessionDeny deny = (Payload.SessionDeny) h.request(peer, SessionHarness.throughput(5, 1, false));
            // busy, not resource_exhausted: the deployed appliance client cannot decode the latter.
            assertThat(deny.reason()).isEqualTo("busy");
            assertThat(deny.message())
                    .startsWith("throughput tests are unavailable on this reflector right now: ")
                    .contains("iperf3")
                    .contains("no-such-iperf3");
            assertThat(h.auditLines())
                    .anySatisfy(l -> assertThat(l)
                            .contains("\"event_type\":\"session_denied\"")
                            .contains("no-such-iperf3"));
            // The failed start neither counts as a test nor holds its port.
            assertThat(h.manager.testsToday()).isZero();
            assertThat(h.manager.activeSessions()).isEmpty();
            h.config.get().iperf3.path = "iperf3";
            Payload.SessionGrant g = h.grant(peer, SessionHarness.throughput(1, 1, false));
            h.close(peer, g.testId());
        }
    }

    @Test
    void onlyTheOwningPeerMayCloseASession() throws Exception {
        try (SessionHarness h = new SessionHarness(dir, SessionHarness.config())) {
            PeerContext owner = SessionHarness.peer();
            PeerContext other = SessionHarness.peer();
            Payload.SessionGrant g = h.grant(owner, SessionHarness.udpEcho(30));
            assertThat(h.close(other, g.testId()))
                    .isInstanceOf(Payload.Error.class)
                    .extracting(p -> ((Payload.Error) p).code())
                    .isEqualTo(403);
            assertThat(h.manager.activeSessions()).hasSize(1);
            assertThat(h.close(owner, "no-such-test")).isInstanceOf(Payload.Error.class);
            assertThat(h.close(owner, g.testId())).isInstanceOf(Payload.Ok.class);
            h.awaitEnded(g.testId());
            assertThat(h.manager.activeSessions()).isEmpty();
            assertThat(h.auditLines())
                    .anySatisfy(l -> assertThat(l)
                            .contains("\"session_completed\"")
                            .contains(g.testId())
                            .contains("\"bytes_transferred\":0")
                            .contains("duration_sec"));
        }
    }

    @Test
    void statusFiguresFollowTheSessions() throws Exception {
        try (SessionHarness h = new SessionHarness(dir, SessionHarness.config())) {
            PeerContext peer = SessionHarness.peer();
            assertThat(h.activeTest()).isEmpty();
            Payload.SessionGrant g = h.grant(peer, SessionHarness.udpEcho(20));
            Payload.ActiveTest active = h.activeTest().orElseThrow();
            assertThat(active.testId()).isEqualTo(g.testId());
            assertThat(active.testType()).isEqualTo("udp_echo");
            assertThat(active.peerId()).isEqualTo(peer.peerId().toString());
            assertThat(active.remainingSec()).isBetween(23L, 25L);
            assertThat(h.manager.testsToday()).isEqualTo(1);
            h.close(peer, g.testId());
            h.awaitEnded(g.testId());
            assertThat(h.activeTest()).isEmpty();
            assertThat(h.manager
                            .governance()
                            .snapshot()
                            .get(peer.peerId().toString())
                            .totalSessions())
                    .isEqualTo(1);
        }
    }

    @Test
    void aPeerThatUsedItsHourlyTestsIsStillLimitedAfterARestart() throws Exception {
        ReflectorConfig cfg = SessionHarness.config();
        cfg.quotas.maxTestsPerHourPerPeer = 3;
        cfg.quotas.cooldownSec = 0;
        PeerContext peer = SessionHarness.peer();
        try (SessionHarness h = new SessionHarness(dir, cfg)) {
            for (int i = 0; i < 3; i++) {
                Payload.SessionGrant g = h.grant(peer, SessionHarness.udpEcho(1));
                h.close(peer, g.testId());
                h.awaitEnded(g.testId());
            }
            assertThat(((Payload.SessionDeny) h.request(peer, SessionHarness.udpEcho(1))).reason())
                    .isEqualTo("rate_limited");
            h.store.flush();
        }
        assertThat(dir.resolve("governance.json")).exists();
        try (SessionHarness restarted = new SessionHarness(dir, cfg)) {
            Payload.SessionDeny deny = (Payload.SessionDeny) restarted.request(peer, SessionHarness.udpEcho(1));
            assertThat(deny.reason()).isEqualTo("rate_limited");
            assertThat(deny.retryAfterSec()).isBetween(3500L, 3600L);
            assertThat(restarted.manager.testsToday()).isEqualTo(3);
            // Another peer is unaffected.
            assertThat(restarted.request(SessionHarness.peer(), SessionHarness.udpEcho(1)))
                    .isInstanceOf(Payload.SessionGrant.class);
        }
    }

    @Test
    void perPeerOverridesReplaceTheGlobalQuota() throws Exception {
        ReflectorConfig cfg = SessionHarness.config();
        cfg.quotas.cooldownSec = 0;
        PeerContext limited = SessionHarness.peer();
        ReflectorConfig.Peer override =
                new ReflectorConfig.Peer(limited.peerId().toString(), "lab");
        override.maxTestsPerHourPerPeer = 1;
        cfg.access.peers.add(override);
        try (SessionHarness h = new SessionHarness(dir, cfg)) {
            Payload.SessionGrant g = h.grant(limited, SessionHarness.udpEcho(1));
            h.close(limited, g.testId());
            h.awaitEnded(g.testId());
            assertThat(((Payload.SessionDeny) h.request(limited, SessionHarness.udpEcho(1))).reason())
                    .isEqualTo("rate_limited");
            // A live config change applies to the next request.
            ReflectorConfig relaxed = SessionHarness.config();
            relaxed.network.dataPortRangeStart = cfg.network.dataPortRangeStart;
            relaxed.network.dataPortRangeEnd = cfg.network.dataPortRangeEnd;
            relaxed.quotas.cooldownSec = 0;
            h.config.set(relaxed);
            assertThat(h.request(limited, SessionHarness.udpEcho(1))).isInstanceOf(Payload.SessionGrant.class);
        }
    }

    @Test
    void aPeersOwnSessionInItsGraceDoesNotMakeItsNextRequestBusy() throws Exception {
        ReflectorConfig cfg = SessionHarness.config();
        cfg.quotas.maxConcurrentTests = 1;
        cfg.quotas.cooldownSec = 0;
        try (SessionHarness h = new SessionHarness(dir, cfg)) {
            PeerContext peer = SessionHarness.peer();
            Payload.SessionGrant first = h.grant(peer, SessionHarness.udpEcho(10));
            // Within its duration the session counts: the same peer is busy, so is anyone else.
            assertThat(((Payload.SessionDeny) h.request(peer, SessionHarness.udpEcho(5))).reason())
                    .isEqualTo("busy");
            assertThat(((Payload.SessionDeny) h.request(SessionHarness.peer(), SessionHarness.udpEcho(5))).reason())
                    .isEqualTo("busy");
            // Past its duration (in the 5 s grace) the owner's next request ends it and is granted.
            h.clock.advance(Duration.ofSeconds(11));
            Payload.SessionGrant second = h.grant(peer, SessionHarness.udpEcho(5));
            assertThat(second.testId()).isNotEqualTo(first.testId());
            assertThat(h.manager.activeSessions())
                    .extracting(ActiveSession::testId)
                    .containsExactly(second.testId());
            assertThat(h.auditLines())
                    .anySatisfy(
                            l -> assertThat(l).contains("\"session_completed\"").contains(first.testId()));
        }
    }
}
