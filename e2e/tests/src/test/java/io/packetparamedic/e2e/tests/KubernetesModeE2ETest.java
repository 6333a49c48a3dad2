package io.packetparamedic.e2e.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.packetparamedic.api.crd.AuthorizedPeer;
import io.packetparamedic.api.crd.AuthorizedPeerStatus;
import io.packetparamedic.api.crd.Labels;
import io.packetparamedic.api.crd.PairingWindow;
import io.packetparamedic.api.crd.PairingWindowStatus;
import io.packetparamedic.api.crd.ReflectorInstance;
import io.packetparamedic.api.crd.ReflectorInstanceStatus;
import io.packetparamedic.e2e.harness.Await;
import io.packetparamedic.e2e.harness.KubeCluster;
import io.packetparamedic.e2e.harness.KubeTestCluster;
import io.packetparamedic.e2e.harness.KubectlResult;
import io.packetparamedic.e2e.harness.ReflectorProcess;
import io.packetparamedic.e2e.harness.RepoLayout;
import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.reflector.client.LinkClient;
import io.packetparamedic.reflector.conformance.FieldClient;
import io.packetparamedic.reflector.conformance.FieldSpeedTest;
import io.packetparamedic.reflector.client.UdpEchoProbe;
import io.packetparamedic.reflector.wire.Payload;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 6 end to end, against the harness's real API server: the packaged operator reconciles the
 * sample ReflectorInstance; the test, playing the kubelet, runs the reflector from the Deployment
 * the operator created (its args and env, its ServiceAccount's token); appliances are the
 * reflector module's {@link LinkClient}. The methods share one instance and run in order: each
 * builds on the state the previous ones left (peers, counts), as a real installation would.
 */
@KubeCluster
@ExtendWith(OperatorExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KubernetesModeE2ETest {

    static final String INSTANCE = "edge";
    static final String DEPLOYMENT = INSTANCE + "-reflector";
    static final int HOURLY_LIMIT = 3;
    static final Duration STATUS = Duration.ofSeconds(15);

    KubeTestCluster cluster;
    KubernetesClient admin;
    String ns;
    Path work;
    ReflectorProcess reflector;
    /** The appliance that runs tests (items 4 and 5). */
    final Appliance tester = new Appliance();

    @BeforeAll
    void applySamplesAndStartTheReflector(KubeTestCluster cluster) throws Exception {
        this.cluster = cluster;
        this.admin = cluster.client();
        this.ns = cluster.createNamespace("kube-mode");
        this.work = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "kube-mode-");
        Path samples = RepoLayout.requireRoot().resolve("config/samples");
        cluster.kubectl("apply", "-n", ns, "-f", samples.resolve("reflectorinstance.yaml").toString()).orThrow();
        // Local adjustments: data ports unlikely to collide with other tests on this machine, a
        // small hourly quota and no cooldown so item 5 can reach the limit quickly.
        cluster.kubectl("patch", "-n", ns, "reflectorinstance", INSTANCE, "--type=merge", "-p",
                "{\"spec\":{" + InstancePorts.next(50).networkJson() + ","
                        + "\"quotas\":{\"maxTestsPerHourPerPeer\":" + HOURLY_LIMIT + ",\"cooldownSec\":0}}}").orThrow();
        Await.until(Duration.ofSeconds(60), "the operator's Deployment", () ->
                admin.apps().deployments().inNamespace(ns).withName(DEPLOYMENT).get());
        Await.until(Duration.ofSeconds(30), "the config Secret with the patched quota", () -> {
            Secret s = admin.secrets().inNamespace(ns).withName(INSTANCE + "-config").get();
            return s != null && decode(s, Labels.CONFIG_KEY).contains("max_tests_per_hour_per_peer = " + HOURLY_LIMIT);
        });
        reflector = ReflectorPod.start(cluster, ns, DEPLOYMENT, work).awaitBanner(Duration.ofSeconds(60));
    }

    @AfterAll
    void stop() throws Exception {
        if (reflector != null) {
            reflector.close();
            System.err.println("[e2e] reflector log: " + work.resolve("reflector.log"));
        }
    }

    // ---- 1 ----------------------------------------------------------------------------------

    @Test
    @Order(1)
    void instanceBecomesReadyWithTheEndpointIdTheReflectorPrintsAndAHeartbeat() throws Exception {
        assertThat(reflector.endpointId()).startsWith("PP-");
        ReflectorInstance ready = Await.until(Duration.ofSeconds(30), "instance Ready", () -> {
            ReflectorInstance ri = instance();
            return ri.getStatus() != null && isTrue(ri.getStatus().conditions, "Ready") ? ri : null;
        });
        ReflectorInstanceStatus s = ready.getStatus();
        assertThat(s.endpointId).isEqualTo(reflector.endpointId());
        assertThat(s.reportedEndpointId).isEqualTo(reflector.endpointId());
        assertThat(s.phase).isEqualTo(ReflectorInstanceStatus.Phase.Ready);
        assertThat(Instant.parse(s.lastHeartbeat)).isAfter(Instant.now().minusSeconds(30));
        assertThat(s.node).isEqualTo(ReflectorPod.NODE);
        assertThat(s.advertisedAddress).isEqualTo("192.0.2.10");
        assertThat(s.activeSessionCount).isZero();

        // The heartbeat moves on while nothing else changes (at least every 30 s; 10 s here).
        Instant first = Instant.parse(s.lastHeartbeat);
        Await.until(Duration.ofSeconds(30), "a newer heartbeat",
                () -> Instant.parse(instance().getStatus().lastHeartbeat).isAfter(first));

        KubectlResult get = cluster.kubectl("get", "reflectors", "-n", ns).orThrow();
        Map<String, String> row = get.tableRow(INSTANCE);
        assertThat(row).containsEntry("READY", "True");
        // The default view shows the short Endpoint ID, -o wide the full one.
        assertThat(row.get("ENDPOINT ID")).startsWith("PP-");
        assertThat(reflector.endpointId()).startsWith(row.get("ENDPOINT ID").replace("…", ""));
        assertThat(cluster.kubectl("get", "reflectors", "-n", ns, "-o", "wide").orThrow().stdout())
                .contains(reflector.endpointId());
    }

    // ---- 2 ----------------------------------------------------------------------------------

    @Test
    @Order(2)
    void appliedPeerIsAcceptedWithinASecondAndDeletingItClosesItsConnection() throws Exception {
        Appliance unknown = new Appliance();
        assertThat(unknown.accepted(reflector)).as("an unknown appliance is denied").isFalse();

        // Warm-up, not measured: one peer through the whole path, so that the figures below are
        // the steady state rather than the first use of each code path in three cold JVMs.
        Appliance warm = new Appliance();
        cluster.kubectlWithInput(warm.authorizedPeerYaml("warm-up", INSTANCE), "apply", "-n", ns, "-f", "-").orThrow();
        Await.until(Duration.ofSeconds(10), "warm-up peer accepted", () -> warm.accepted(reflector));
        for (int i = 0; i < 5; i++) warm.accepted(reflector);
        cluster.kubectl("delete", "-n", ns, "authorizedpeer", "warm-up").orThrow();
        Await.until(Duration.ofSeconds(10), "warm-up peer removed", () -> !warm.accepted(reflector));
        Await.until(Duration.ofSeconds(10), "config without peers", () -> reflector.log().contains("authorized_peers=0 "));

        int tries = 20;
        long[] fromApplied = new long[tries];
        long[] fromKubectlStart = new long[tries];
        long[] toReflectorApplied = new long[tries];
        Appliance last = null;
        for (int i = 0; i < tries; i++) {
            Appliance a = i == 0 ? unknown : new Appliance();
            a.accepted(reflector); // warm: the TLS context exists before the clock starts
            Instant started = Instant.now();
            long t0 = System.nanoTime();
            cluster.kubectlWithInput(a.authorizedPeerYaml("latency-" + i, INSTANCE), "apply", "-n", ns, "-f", "-").orThrow();
            long t1 = System.nanoTime();
            Instant applied = Instant.now();
            long deadline = t1 + TimeUnit.SECONDS.toNanos(10);
            while (!a.accepted(reflector)) {
                assertThat(System.nanoTime()).as("peer %d accepted within 10 s", i).isLessThan(deadline);
                // A short pause between attempts: a tight loop of handshakes would take CPU from
                // the operator and the reflector whose delay is being measured.
                Thread.sleep(20);
            }
            long t2 = System.nanoTime();
            fromApplied[i] = TimeUnit.NANOSECONDS.toMillis(t2 - t1);
            fromKubectlStart[i] = TimeUnit.NANOSECONDS.toMillis(t2 - t0);
            // Where the time went: operator + watch until the reflector applied the new config.
            String needle = "event=config_applied authorized_peers=" + (i + 1) + " ";
            toReflectorApplied[i] = reflector.logTimeOf(needle, started)
                    .map(t -> Duration.between(applied, t).toMillis()).orElse(-1L);
            last = a;
        }
        long p99 = Await.percentile(fromApplied, 99);
        System.err.printf("[e2e] apply-to-accept over %d tries (from kubectl apply returning): p50=%d ms p99=%d ms max=%d ms; "
                        + "including kubectl's own run: p50=%d ms p99=%d ms; samples=%s%n",
                tries, Await.percentile(fromApplied, 50), p99, Arrays.stream(fromApplied).max().orElse(0),
                Await.percentile(fromKubectlStart, 50), Await.percentile(fromKubectlStart, 99), Arrays.toString(fromApplied));
        System.err.printf("[e2e] of which until the reflector applied the config (operator render + Secret watch): "
                        + "p50=%d ms p99=%d ms; samples=%s; load average %s%n",
                Await.percentile(toReflectorApplied, 50), Await.percentile(toReflectorApplied, 99), Arrays.toString(toReflectorApplied),
                loadAverage());
        assertThat(p99).as("p99 apply-to-accept (ms)").isLessThanOrEqualTo(1000);

        // The reflector reports the peers it saw.
        String lastName = "latency-" + (tries - 1);
        AuthorizedPeerStatus seen = Await.until(STATUS, "lastSeenTime on " + lastName, () -> {
            AuthorizedPeerStatus st = peer(lastName).getStatus();
            return st != null && st.lastSeenTime != null ? st : null;
        });
        assertThat(seen.lastAddress).isEqualTo("127.0.0.1");

        // Deleting the peer closes its live connection.
        try (LinkClient live = last.connect(reflector)) {
            live.hello();
            live.status();
            cluster.kubectl("delete", "-n", ns, "authorizedpeer", lastName).orThrow();
            long deleted = System.nanoTime();
            CompletableFuture<Long> closedAfter = CompletableFuture.supplyAsync(() ->
                    live.awaitClosedByServer() ? TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - deleted) : -1L);
            long ms = closedAfter.get(15, TimeUnit.SECONDS);
            System.err.printf("[e2e] delete-to-close: %d ms%n", ms);
            assertThat(ms).as("connection closed after delete (ms)").isBetween(0L, 1000L);
        }
        assertThat(last.accepted(reflector)).isFalse();
    }

    // ---- 3 ----------------------------------------------------------------------------------

    @Test
    @Order(3)
    void pairingThroughAPairingWindowCreatesThePeerAndConsumesTheWindow() throws Exception {
        Path sample = RepoLayout.requireRoot().resolve("config/samples/pairingwindow.yaml");
        cluster.kubectl("apply", "-n", ns, "-f", sample.toString()).orThrow();
        String code = codeOf("new-appliance");

        Appliance first = new Appliance();
        Payload.PairResponse paired = Await.until(Duration.ofSeconds(10), "pairing with the window's code", () -> {
            try (LinkClient c = first.connect(reflector)) {
                Payload.PairResponse r = c.pair(code);
                return r.success() ? r : null;
            } catch (IOException e) {
                return null; // the code is not in the reflector's config yet: denied at the handshake
            }
        });
        assertThat(paired.endpointId()).isEqualTo(reflector.endpointId());

        AuthorizedPeer created = Await.until(STATUS, "the AuthorizedPeer from the window", () -> peerOrNull("new-appliance"));
        assertThat(created.getSpec().endpointId).isEqualTo(first.id().toString());
        PairingWindow consumed = Await.until(STATUS, "window Consumed", () -> {
            PairingWindow w = window("new-appliance");
            return w.getStatus() != null && w.getStatus().phase == PairingWindowStatus.Phase.Consumed ? w : null;
        });
        assertThat(consumed.getStatus().pairedEndpointId).isEqualTo(first.id().toString());
        assertThat(consumed.getStatus().authorizedPeer).isEqualTo("new-appliance");
        assertThat(first.accepted(reflector)).isTrue();

        Appliance second = new Appliance();
        assertThat(pairs(second, code)).as("a second appliance with the same code").isFalse();

        // An expired window refuses pairing.
        cluster.kubectlWithInput("""
                apiVersion: packetparamedic.io/v1alpha1
                kind: PairingWindow
                metadata:
                  name: short
                spec:
                  reflectorRef:
                    name: edge
                  ttl: 3s
                """, "apply", "-n", ns, "-f", "-").orThrow();
        String shortCode = codeOf("short");
        Await.until(Duration.ofSeconds(20), "window 'short' Expired", () -> {
            PairingWindowStatus st = window("short").getStatus();
            return st != null && st.phase == PairingWindowStatus.Phase.Expired;
        });
        assertThat(pairs(new Appliance(), shortCode)).as("pairing through an expired window").isFalse();
    }

    // ---- 4 ----------------------------------------------------------------------------------

    @Test
    @Order(4)
    void aRunningUdpEchoSessionShowsInKubectlAndItsBytesInThePeerStatus() throws Exception {
        cluster.kubectlWithInput(tester.authorizedPeerYaml("tester", INSTANCE), "apply", "-n", ns, "-f", "-").orThrow();
        Await.until(Duration.ofSeconds(10), "tester accepted", () -> tester.accepted(reflector));

        try (LinkClient c = tester.connect(reflector)) {
            Payload grant = c.sessionRequest("udp_echo", new Payload.SessionParams(20, null, null, null));
            assertThat(grant).isInstanceOf(Payload.SessionGrant.class);
            Payload.SessionGrant g = (Payload.SessionGrant) grant;
            CompletableFuture<UdpEchoProbe.Result> probe = CompletableFuture.supplyAsync(() -> {
                try {
                    return new UdpEchoProbe(new InetSocketAddress("127.0.0.1", g.port())).run(300, 10_000, 64, 500, null);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });

            Map<String, String> row = Await.until(Duration.ofSeconds(10), "kubectl get reflectors showing Active 1", () -> {
                Map<String, String> r = cluster.kubectl("get", "reflectors", "-n", ns).orThrow().tableRow(INSTANCE);
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
        System.err.printf("[e2e] tester status after the session: bytesToday=%d testsLastHour=%d totalSessions=%d%n",
                after.bytesToday, after.testsLastHour, after.totalSessions);
        assertThat(after.bytesToday).isGreaterThanOrEqualTo(300L * 64);
        assertThat(after.testsLastHour).isEqualTo(1);
        assertThat(after.totalSessions).isEqualTo(1L);
        Await.until(STATUS, "no active session", () -> instance().getStatus().activeSessionCount == 0);
        assertThat(instance().getStatus().bytesToday).isGreaterThanOrEqualTo(300L * 64);
    }

    // ---- 5 ----------------------------------------------------------------------------------

    @Test
    @Order(5)
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
        Await.until(STATUS, "testsLastHour = " + HOURLY_LIMIT + " in tester's status",
                () -> Integer.valueOf(HOURLY_LIMIT).equals(peer("tester").getStatus().testsLastHour));

        String before = reflector.endpointId();
        Instant restartedAt = Instant.now();
        reflector = reflector.restart();
        assertThat(reflector.endpointId()).isEqualTo(before);

        Await.until(Duration.ofSeconds(30), "a heartbeat from the restarted reflector", () -> {
            ReflectorInstanceStatus s = instance().getStatus();
            return Instant.parse(s.lastHeartbeat).isAfter(restartedAt.minusSeconds(1)) && before.equals(s.reportedEndpointId)
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

    // ---- 6 ----------------------------------------------------------------------------------

    @Test
    @Order(6)
    void theReflectorsServiceAccountCannotReadOtherSecretsNorChangeAnySpec() {
        admin.secrets().inNamespace(ns).resource(new SecretBuilder()
                .withNewMetadata().withName("unrelated").endMetadata()
                .addToStringData("password", "hunter2").build()).create();
        KubernetesClient sa = cluster.clientForServiceAccount(ns, DEPLOYMENT);

        assertThat(sa.secrets().inNamespace(ns).withName(INSTANCE + "-config").get()).isNotNull();
        assertForbidden(() -> sa.secrets().inNamespace(ns).withName("unrelated").get());
        assertForbidden(() -> sa.secrets().inNamespace(ns).list());
        assertForbidden(() -> sa.resources(ReflectorInstance.class).inNamespace(ns).withName(INSTANCE)
                .edit(ri -> {
                    ri.getSpec().logLevel = io.packetparamedic.api.crd.ReflectorInstanceSpec.LogLevel.debug;
                    return ri;
                }));
        assertForbidden(() -> sa.resources(AuthorizedPeer.class).inNamespace(ns).withName("tester")
                .edit(p -> {
                    p.getSpec().disabled = true;
                    return p;
                }));
        assertForbidden(() -> sa.resources(PairingWindow.class).inNamespace(ns).withName("short").delete());
    }

    // ---- live quota change and disabling -------------------------------------------------------

    @Test
    @Order(7)
    void aQuotaChangeAppliesToTheNextRequestAndDisablingAPeerEndsItsConnectionAndSession() throws Exception {
        try (LinkClient c = tester.connect(reflector)) {
            Payload limited = c.sessionRequest("udp_echo", new Payload.SessionParams(20, null, null, null));
            assertThat(limited).as("still at the hourly limit").isInstanceOf(Payload.SessionDeny.class);

            cluster.kubectl("patch", "-n", ns, "reflectorinstance", INSTANCE, "--type=merge", "-p",
                    "{\"spec\":{\"quotas\":{\"maxTestsPerHourPerPeer\":" + (HOURLY_LIMIT + 5) + "}}}").orThrow();
            long patched = System.nanoTime();
            Payload.SessionGrant g = Await.until(Duration.ofSeconds(10), "a grant under the raised quota", () -> {
                try {
                    Payload p = c.sessionRequest("udp_echo", new Payload.SessionParams(20, null, null, null));
                    return p instanceof Payload.SessionGrant grant ? grant : null;
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            System.err.printf("[e2e] quota patch to first grant under the new quota: %d ms%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - patched));
            UdpEchoProbe echo = new UdpEchoProbe(new InetSocketAddress("127.0.0.1", g.port()));
            assertThat(echo.run(20, 1000, 64, 500, null).received()).isEqualTo(20);
            Await.until(STATUS, "the session in status", () -> instance().getStatus().activeSessionCount == 1);

            cluster.kubectl("patch", "-n", ns, "authorizedpeer", "tester", "--type=merge", "-p",
                    "{\"spec\":{\"disabled\":true}}").orThrow();
            long disabled = System.nanoTime();
            CompletableFuture<Long> closedAfter = CompletableFuture.supplyAsync(() ->
                    c.awaitClosedByServer() ? TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - disabled) : -1L);
            long ms = closedAfter.get(15, TimeUnit.SECONDS);
            System.err.printf("[e2e] disable-to-close: %d ms%n", ms);
            assertThat(ms).as("connection closed after disabling (ms)").isBetween(0L, 1000L);
            // The session is ended right after the connection is closed (same step, a few ms apart).
            Await.until(STATUS, "no active session", () -> instance().getStatus().activeSessionCount == 0);
            assertThat(echo.run(20, 1000, 64, 300, null).received()).as("echo after the session ended").isZero();
        }
        assertThat(tester.accepted(reflector)).isFalse();
    }

    // ---- 8 (issue 11) ---------------------------------------------------------------------------

    /**
     * The deployed appliance client, reproduced on the wire, against the Kubernetes-mode reflector
     * with the sample's quotas (6 tests an hour, 200 GB a day, 30 s per test, default cooldown):
     * it pairs with a PairingWindow's code, runs its speed test twice in a row, and the
     * AuthorizedPeer's status shows the four sessions and their bytes.
     */
    @Test
    @Order(8)
    void theFieldClientPairsThroughAWindowAndRunsItsSpeedTestTwiceWithTheSampleQuotas() throws Exception {
        cluster.kubectl("patch", "-n", ns, "reflectorinstance", INSTANCE, "--type=merge", "-p",
                "{\"spec\":{\"quotas\":{\"maxTestsPerHourPerPeer\":6,\"cooldownSec\":null}}}").orThrow();
        Await.until(STATUS, "the config Secret with the sample's quotas", () -> {
            String toml = decode(admin.secrets().inNamespace(ns).withName(INSTANCE + "-config").get(), Labels.CONFIG_KEY);
            return toml.contains("max_tests_per_hour_per_peer = 6") && toml.contains("cooldown_sec = 5");
        });
        cluster.kubectlWithInput("""
                apiVersion: packetparamedic.io/v1alpha1
                kind: PairingWindow
                metadata:
                  name: field-appliance
                spec:
                  reflectorRef:
                    name: %s
                  ttl: 10m
                """.formatted(INSTANCE), "apply", "-n", ns, "-f", "-").orThrow();
        String code = codeOf("field-appliance");
        Ed25519Identity appliance = Ed25519Identity.generate();
        InetSocketAddress control = new InetSocketAddress("127.0.0.1", reflector.port());
        Await.until(Duration.ofSeconds(10), "the field client pairing with the window's code", () -> {
            try (FieldClient c = FieldClient.connect(control, appliance)) {
                return c.pair(code).path("success").asBoolean() ? Boolean.TRUE : null;
            } catch (IOException e) {
                return null; // the code is not in the reflector's config yet: denied at the handshake
            }
        });
        AuthorizedPeer created = Await.until(STATUS, "the AuthorizedPeer from the window", () -> peerOrNull("field-appliance"));
        assertThat(created.getSpec().endpointId).isEqualTo(appliance.endpointId().toString());

        long started = System.nanoTime();
        FieldSpeedTest.Result first = FieldSpeedTest.run(control, appliance, "iperf3");
        FieldSpeedTest.Result second = FieldSpeedTest.run(control, appliance, "iperf3");
        long clientBytes = first.bytesSent() + second.bytesSent();
        System.err.printf("[e2e] field speed test twice: %.1f s, %.2f GB moved by the client%n",
                (System.nanoTime() - started) / 1e9, clientBytes / 1e9);

        // A session counts when it starts and its bytes when it ends, so wait for the last bytes.
        AuthorizedPeerStatus st = Await.until(STATUS, "the four sessions and their bytes in the peer's status", () -> {
            AuthorizedPeerStatus s = peer("field-appliance").getStatus();
            return s != null && s.totalSessions != null && s.totalSessions == 4 && s.bytesToday != null
                    && s.bytesToday >= clientBytes * 0.95 ? s : null;
        });
        assertThat((double) st.bytesToday).isLessThanOrEqualTo(clientBytes * 1.05);
        // The instance's status is written at most once a second, so it may trail the peer's.
        Await.until(STATUS, "the instance's bytes today covering the field client's",
                () -> {
                    Long bytes = instance().getStatus().bytesToday;
                    return bytes != null && bytes >= st.bytesToday ? Boolean.TRUE : null;
                });
    }

    // ---- helpers ------------------------------------------------------------------------------

    private static void assertForbidden(Runnable action) {
        assertThatThrownBy(action::run)
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
    }

    private boolean pairs(Appliance a, String code) {
        try (LinkClient c = a.connect(reflector)) {
            return c.pair(code).success();
        } catch (IOException e) {
            return false; // no window open for it: denied at the handshake
        }
    }

    private String codeOf(String window) throws InterruptedException {
        String secretName = Await.until(STATUS, "code Secret of " + window, () -> {
            PairingWindowStatus st = window(window).getStatus();
            return st != null && st.codeSecret != null ? st.codeSecret : null;
        });
        Secret s = Await.until(STATUS, "Secret " + secretName, () -> admin.secrets().inNamespace(ns).withName(secretName).get());
        return decode(s, Labels.PAIRING_CODE_KEY).strip();
    }

    private ReflectorInstance instance() {
        return admin.resources(ReflectorInstance.class).inNamespace(ns).withName(INSTANCE).get();
    }

    private AuthorizedPeer peer(String name) {
        AuthorizedPeer p = peerOrNull(name);
        if (p == null) throw new IllegalStateException("no AuthorizedPeer " + name);
        return p;
    }

    private AuthorizedPeer peerOrNull(String name) {
        return admin.resources(AuthorizedPeer.class).inNamespace(ns).withName(name).get();
    }

    private PairingWindow window(String name) {
        return admin.resources(PairingWindow.class).inNamespace(ns).withName(name).get();
    }

    private static boolean isTrue(List<Condition> conditions, String type) {
        return conditions != null && conditions.stream().anyMatch(c -> type.equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private static String decode(Secret s, String key) {
        return new String(Base64.getDecoder().decode(s.getData().get(key)), StandardCharsets.UTF_8);
    }


    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (IOException e) {
            return "unknown";
        }
    }


}
