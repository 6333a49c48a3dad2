package io.packetparamedic.e2e.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetparamedic.api.crd.AuthorizedPeerStatus;
import io.packetparamedic.api.crd.ReflectorInstanceStatus;
import io.packetparamedic.e2e.harness.Await;
import io.packetparamedic.reflector.client.LinkClient;
import io.packetparamedic.reflector.client.UdpEchoProbe;
import io.packetparamedic.reflector.wire.Payload;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * One peer's sessions and quotas, in order: a session shows in kubectl and its bytes in the peer's
 * status; the hourly count survives a reflector restart; a quota change applies to the next
 * request and disabling the peer ends its connection and session.
 */
class KubernetesModeQuotaE2ETest extends KubernetesModeFixture {

    /** The appliance that runs the sessions. */
    final Appliance tester = new Appliance();

    @Test
    @Order(1)
    void aRunningUdpEchoSessionShowsInKubectlAndItsBytesInThePeerStatus() throws Exception {
        cluster.kubectlWithInput(tester.authorizedPeerYaml("tester", INSTANCE), "apply", "-n", ns, "-f", "-")
                .orThrow();
        Await.until(Duration.ofSeconds(10), "tester accepted", () -> tester.accepted(reflector));

        try (LinkClient c = tester.connect(reflector)) {
            Payload grant = c.sessionRequest("udp_echo", new Payload.SessionParams(20, null, null, null));
            assertThat(grant).isInstanceOf(Payload.SessionGrant.class);
            Payload.SessionGrant g = (Payload.SessionGrant) grant;
            CompletableFuture<UdpEchoProbe.Result> probe = CompletableFuture.supplyAsync(() -> {
                try {
                    return new UdpEchoProbe(new InetSocketAddress("127.0.0.1", g.port()))
                            .run(300, 10_000, 64, 500, null);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });

            Map<String, String> row =
                    Await.until(Duration.ofSeconds(10), "kubectl get reflectors showing Active 1", () -> {
                        Map<String, String> r = cluster.kubectl("get", "reflectors", "-n", ns)
                                .orThrow()
                                .tableRow(INSTANCE);
                        return "1".equals(r.get("ACTIVE")) ? r : null;
                    });
            System.err.println("[e2e] kubectl get reflectors during the session: " + row);
            ReflectorInstanceStatus during = instance().getStatus();
            assertThat(during.activeSessions).hasSize(1);
            ReflectorInstanceStatus.ActiveSession a = during.activeSessions.get(0);
            assertThat(a.testId).isEqualTo(g.testId());
            assertThat(a.peer).isEqualTo(tester.id().toString());
            assertThat(a.type).isEqualTo("udp_echo");
            assertThat(a.port).isEqualTo(g.port());
            assertThat(Instant.parse(a.expires)).isAfter(Instant.parse(a.started));

            UdpEchoProbe.Result r = probe.get(30, TimeUnit.SECONDS);
            assertThat(r.received()).isEqualTo(300);
            assertThat(c.sessionClose(g.testId())).isInstanceOf(Payload.Ok.class);
        }
        AuthorizedPeerStatus after = Await.until(STATUS, "tester's bytes in its status", () -> {
            AuthorizedPeerStatus st = peer("tester").getStatus();
            return st != null && st.bytesToday != null && st.bytesToday > 0 ? st : null;
        });
        System.err.printf(
                "[e2e] tester status after the session: bytesToday=%d testsLastHour=%d totalSessions=%d%n",
                after.bytesToday, after.testsLastHour, after.totalSessions);
        assertThat(after.bytesToday).isGreaterThanOrEqualTo(300L * 64);
        assertThat(after.testsLastHour).isEqualTo(1);
        assertThat(after.totalSessions).isEqualTo(1L);
        Await.until(STATUS, "no active session", () -> instance().getStatus().activeSessionCount == 0);
        assertThat(instance().getStatus().bytesToday).isGreaterThanOrEqualTo(300L * 64);
    }

    @Test
    @Order(2)
    void restartKeepsTheEndpointIdAndThePeersHourlyCount() throws Exception {
        try (LinkClient c = tester.connect(reflector)) {
            for (int i = 1; i < HOURLY_LIMIT; i++) {
                Payload p = c.sessionRequest("udp_echo", new Payload.SessionParams(2, null, null, null));
                assertThat(p).as("test %d of %d", i + 1, HOURLY_LIMIT).isInstanceOf(Payload.SessionGrant.class);
                c.sessionClose(((Payload.SessionGrant) p).testId());
            }
            Payload over = c.sessionRequest("udp_echo", new Payload.SessionParams(2, null, null, null));
            assertThat(over).isInstanceOf(Payload.SessionDeny.class);
            assertThat(((Payload.SessionDeny) over).reason()).isEqualTo("rate_limited");
        }
        Await.until(
                STATUS,
                "testsLastHour = " + HOURLY_LIMIT + " in tester's status",
                () -> Integer.valueOf(HOURLY_LIMIT).equals(peer("tester").getStatus().testsLastHour));

        String before = reflector.endpointId();
        Instant restartedAt = Instant.now();
        reflector = reflector.restart();
        assertThat(reflector.endpointId()).isEqualTo(before);

        Await.until(Duration.ofSeconds(30), "a heartbeat from the restarted reflector", () -> {
            ReflectorInstanceStatus s = instance().getStatus();
            return Instant.parse(s.lastHeartbeat).isAfter(restartedAt.minusSeconds(1))
                    && before.equals(s.reportedEndpointId)
                    && isTrue(s.conditions, "Ready");
        });
        try (LinkClient c = Await.until(Duration.ofSeconds(10), "tester reconnects", () -> {
            try {
                LinkClient x = tester.connect(reflector);
                x.hello();
                return x;
            } catch (IOException e) {
                return null;
            }
        })) {
            Payload again = c.sessionRequest("udp_echo", new Payload.SessionParams(2, null, null, null));
            assertThat(again).as("the hourly count survived the restart").isInstanceOf(Payload.SessionDeny.class);
            assertThat(((Payload.SessionDeny) again).reason()).isEqualTo("rate_limited");
        }
        assertThat(peer("tester").getStatus().testsLastHour).isEqualTo(HOURLY_LIMIT);
        assertThat(instance().getStatus().endpointId).isEqualTo(before);
    }

    @Test
    @Order(3)
    void aQuotaChangeAppliesToTheNextRequestAndDisablingAPeerEndsItsConnectionAndSession() throws Exception {
        try (LinkClient c = tester.connect(reflector)) {
            Payload limited = c.sessionRequest("udp_echo", new Payload.SessionParams(20, null, null, null));
            assertThat(limited).as("still at the hourly limit").isInstanceOf(Payload.SessionDeny.class);

            cluster.mergePatch(
                    ns,
                    "reflectorinstance",
                    INSTANCE,
                    "{\"spec\":{\"quotas\":{\"maxTestsPerHourPerPeer\":" + (HOURLY_LIMIT + 5) + "}}}");
            long patched = System.nanoTime();
            Payload.SessionGrant g = Await.until(Duration.ofSeconds(10), "a grant under the raised quota", () -> {
                try {
                    Payload p = c.sessionRequest("udp_echo", new Payload.SessionParams(20, null, null, null));
                    return p instanceof Payload.SessionGrant grant ? grant : null;
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            System.err.printf(
                    "[e2e] quota patch to first grant under the new quota: %d ms%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - patched));
            UdpEchoProbe echo = new UdpEchoProbe(new InetSocketAddress("127.0.0.1", g.port()));
            assertThat(echo.run(20, 1000, 64, 500, null).received()).isEqualTo(20);
            Await.until(STATUS, "the session in status", () -> instance().getStatus().activeSessionCount == 1);

            cluster.mergePatch(ns, "authorizedpeer", "tester", "{\"spec\":{\"disabled\":true}}");
            long disabled = System.nanoTime();
            long ms = millisUntilClosedByServer(c, disabled);
            System.err.printf("[e2e] disable-to-close: %d ms%n", ms);
            assertThat(ms).as("connection closed after disabling (ms)").isBetween(0L, 1000L);
            // The session is ended right after the connection is closed (same step, a few ms apart).
            Await.until(STATUS, "no active session", () -> instance().getStatus().activeSessionCount == 0);
            assertThat(echo.run(20, 1000, 64, 300, null).received())
                    .as("echo after the session ended")
                    .isZero();
        }
        assertThat(tester.accepted(reflector)).isFalse();
    }
}
