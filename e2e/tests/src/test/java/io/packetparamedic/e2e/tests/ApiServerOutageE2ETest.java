package io.packetparamedic.e2e.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.packetparamedic.api.crd.AuthorizedPeer;
import io.packetparamedic.api.crd.AuthorizedPeerStatus;
import io.packetparamedic.api.crd.Labels;
import io.packetparamedic.api.crd.ReflectorInstance;
import io.packetparamedic.api.crd.ReflectorInstanceStatus;
import io.packetparamedic.e2e.harness.Await;
import io.packetparamedic.e2e.harness.KubeCluster;
import io.packetparamedic.e2e.harness.KubeTestCluster;
import io.packetparamedic.e2e.harness.OperatorProcess;
import io.packetparamedic.e2e.harness.ReflectorProcess;
import io.packetparamedic.e2e.harness.RepoLayout;
import io.packetparamedic.reflector.client.LinkClient;
import io.packetparamedic.reflector.client.ThroughputRunner;
import io.packetparamedic.reflector.client.UdpEchoProbe;
import io.packetparamedic.reflector.wire.Payload;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 20 item 1: the API server goes away for {@code -Doutage.seconds} (60 by default) while
 * appliances test. The reflector keeps serving its authorized peers with the last configuration
 * it received and keeps enforcing their quota; the status it could not write is written once the
 * API is back, with every session and byte counted exactly once; heartbeats resume; the operator,
 * still the same process, picks up a change made after the outage and has created nothing twice.
 */
@KubeCluster
@ExtendWith(OperatorExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiServerOutageE2ETest {

    static final String INSTANCE = "edge";
    static final int HOURLY_LIMIT = 4;
    static final Duration OUTAGE = Duration.ofSeconds(Long.getLong("outage.seconds", 60));
    /** Informers reconnect with a backoff of up to 32 s (Fabric8's default), operator and reflector alike. */
    static final Duration CONVERGE = Duration.ofSeconds(90);

    KubeTestCluster cluster;
    KubernetesClient admin;
    String ns;
    Path work;
    ReflectorProcess reflector;
    OperatorProcess operator;
    final Appliance tester = new Appliance();
    final Appliance bystander = new Appliance();

    @BeforeAll
    void instanceWithTwoPeers(KubeTestCluster cluster, OperatorProcess operator) throws Exception {
        this.cluster = cluster;
        this.operator = operator;
        this.admin = cluster.client();
        this.ns = cluster.createNamespace("outage");
        this.work = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "outage-");
        // The sample on host ports of its own (InstancePorts), from its first version: the operator
        // marks a host-network instance that shares a port with an existing one as the newcomer in
        // a PortConflict, and other test classes' instances live on in this cluster.
        InstancePorts ports = InstancePorts.next(50);
        String sample = Files.readString(RepoLayout.requireRoot().resolve("config/samples/reflectorinstance.yaml"))
                .replace("controlPort: 4000", "controlPort: " + ports.control())
                .replace("healthPort: 7301", "healthPort: " + ports.health())
                .replace("start: 5201", "start: " + ports.dataStart())
                .replace("end: 5299", "end: " + ports.dataEnd());
        cluster.kubectlWithInput(sample, "apply", "-n", ns, "-f", "-").orThrow();
        cluster.mergePatch(
                ns,
                "reflectorinstance",
                INSTANCE,
                "{\"spec\":{\"quotas\":{\"maxTestsPerHourPerPeer\":" + HOURLY_LIMIT + ",\"cooldownSec\":0}}}");
        applyPeer("tester", tester);
        applyPeer("bystander", bystander);
        Await.until(Duration.ofSeconds(60), "the config Secret with both peers and the quota", () -> {
            Secret s = admin.secrets()
                    .inNamespace(ns)
                    .withName(INSTANCE + "-config")
                    .get();
            if (s == null) return false;
            String toml =
                    new String(Base64.getDecoder().decode(s.getData().get(Labels.CONFIG_KEY)), StandardCharsets.UTF_8);
            return toml.contains(tester.id().toString())
                    && toml.contains(bystander.id().toString())
                    && toml.contains("max_tests_per_hour_per_peer = " + HOURLY_LIMIT);
        });
        reflector =
                ReflectorPod.start(cluster, ns, INSTANCE + "-reflector", work).awaitBanner(Duration.ofSeconds(60));
        Await.until(Duration.ofSeconds(30), "tester accepted", () -> tester.accepted(reflector));
    }

    @AfterAll
    void stop() throws Exception {
        if (reflector != null) reflector.close();
        System.err.println("[e2e] outage test reflector log: " + work.resolve("reflector.log"));
    }

    @Test
    void reflectorServesThroughTheOutageAndStatusCatchesUpExactlyOnce() throws Exception {
        // One session before the outage, written as usual.
        udpEcho();
        Await.until(
                Duration.ofSeconds(15),
                "the first session in the tester's status",
                () -> sessionsIn(peer("tester").getStatus()) == 1);
        long operatorPid = operator.pid();
        List<String> objectsBefore = ownedObjects();

        cluster.apiServer().stop();
        Instant down = Instant.now();
        System.err.printf("[e2e] kube-apiserver stopped for %d s%n", OUTAGE.toSeconds());

        // Three more sessions during the outage reach the hourly limit of 4; the fifth is refused.
        runThroughput();
        udpEcho();
        udpEcho();
        try (LinkClient c = tester.connect(reflector)) {
            Payload fifth = c.sessionRequest("udp_echo", new Payload.SessionParams(5, null, null, null));
            assertThat(fifth)
                    .isInstanceOfSatisfying(
                            Payload.SessionDeny.class,
                            d -> assertThat(d.reason()).isEqualTo("rate_limited"));
        }
        // Authorized peers keep being served, unknown ones denied, for the whole outage.
        Instant up = down.plus(OUTAGE);
        int checks = 0;
        while (Instant.now().isBefore(up)) {
            assertThat(bystander.accepted(reflector))
                    .as("bystander served %s into the outage", Duration.between(down, Instant.now()))
                    .isTrue();
            assertThat(new Appliance().accepted(reflector))
                    .as("an unknown appliance")
                    .isFalse();
            checks++;
            TimeUnit.SECONDS.sleep(5); // a schedule of checks over the outage, not a wait for an event
        }
        long reflectorTotalBytes;
        try (LinkClient c = tester.connect(reflector)) {
            reflectorTotalBytes = c.status().bytesToday();
        }
        Duration served = Duration.between(down, Instant.now());

        cluster.apiServer().start();
        Instant back = Instant.now();

        AuthorizedPeerStatus caughtUp = Await.until(CONVERGE, "the outage's sessions in the tester's status", () -> {
            AuthorizedPeerStatus s = peer("tester").getStatus();
            return sessionsIn(s) == HOURLY_LIMIT && s.bytesToday != null && s.bytesToday == reflectorTotalBytes
                    ? s
                    : null;
        });
        Duration statusLag = Duration.between(back, Instant.now());
        assertThat(caughtUp.testsLastHour).isEqualTo(HOURLY_LIMIT);
        // No write got through during the outage, so a heartbeat stamped after it began was written
        // after the API came back; then the next one proves the cadence goes on.
        ReflectorInstanceStatus heartbeat = Await.until(CONVERGE, "a heartbeat after the outage", () -> {
            ReflectorInstanceStatus s = instance().getStatus();
            return Instant.parse(s.lastHeartbeat).isAfter(down) ? s : null;
        });
        Duration heartbeatLag = Duration.between(back, Instant.now());
        assertThat(heartbeat.bytesToday).isEqualTo(reflectorTotalBytes);
        Instant first = Instant.parse(heartbeat.lastHeartbeat);
        Await.until(
                Duration.ofSeconds(30),
                "the next heartbeat",
                () -> Instant.parse(instance().getStatus().lastHeartbeat).isAfter(first));

        // The operator (the same process) and the reflector's watch are back: a new peer is let in.
        Appliance newcomer = new Appliance();
        applyPeer("newcomer", newcomer);
        Instant applied = Instant.now();
        Await.until(CONVERGE, "a peer applied after the outage accepted", () -> newcomer.accepted(reflector));
        Duration convergeLag = Duration.between(applied, Instant.now());
        assertThat(operator.isAlive())
                .as("the operator process is still running")
                .isTrue();
        assertThat(operator.pid()).as("the operator did not restart").isEqualTo(operatorPid);
        assertThat(ownedObjects())
                .as("objects of the instance after the outage")
                .isEqualTo(objectsBefore);
        Await.until(
                CONVERGE,
                "instance Ready again",
                () -> instance().getStatus().phase == ReflectorInstanceStatus.Phase.Ready);
        assertThat(reflector.log()).contains("event=api_unreachable").contains("event=api_reachable");

        System.err.printf(
                "[e2e] API outage: reflector served %d s without the API (%d checks of an authorized and an "
                        + "unknown appliance, 3 sessions and a quota refusal); status caught up %d ms after the API was "
                        + "back (bytesToday=%d, sessions=%d), heartbeat after %d ms; a peer applied after the outage was "
                        + "accepted after %d ms%n",
                served.toSeconds(),
                checks,
                statusLag.toMillis(),
                caughtUp.bytesToday,
                caughtUp.totalSessions,
                heartbeatLag.toMillis(),
                convergeLag.toMillis());

        // A slow API server: suspended, it holds the status writes that the bystander's next
        // handshake makes due (its lastSeenTime moves to a new second; the instance's connection
        // count may change too), and the reflector, still serving, logs the first one as slow once
        // the server answers it.
        Instant lastSeenBefore = Await.until(CONVERGE, "the bystander's lastSeenTime", () -> {
            AuthorizedPeerStatus s = peer("bystander").getStatus();
            return s != null && s.lastSeenTime != null ? Instant.parse(s.lastSeenTime) : null;
        });
        cluster.apiServer().freeze();
        try {
            assertThat(bystander.accepted(reflector))
                    .as("served while the API server is suspended")
                    .isTrue();
            TimeUnit.SECONDS.sleep(2); // how long the server stays unresponsive, not a wait for an event
        } finally {
            cluster.apiServer().thaw();
        }
        Await.until(
                CONVERGE, "the held write logged as slow", () -> reflector.log().contains("event=status_write_slow"));
        Await.until(
                CONVERGE,
                "the bystander's new lastSeenTime written",
                () -> Instant.parse(peer("bystander").getStatus().lastSeenTime).isAfter(lastSeenBefore));
        System.err.printf(
                "[e2e] API server suspended 2 s: %s%n",
                reflector
                        .log()
                        .lines()
                        .filter(l -> l.contains("event=status_write_slow"))
                        .findFirst()
                        .orElseThrow());
    }

    // ---- helpers ------------------------------------------------------------------------------

    private void udpEcho() throws Exception {
        try (LinkClient c = tester.connect(reflector)) {
            Payload.SessionGrant g =
                    (Payload.SessionGrant) c.sessionRequest("udp_echo", new Payload.SessionParams(5, null, null, null));
            UdpEchoProbe.Result r =
                    new UdpEchoProbe(new InetSocketAddress("127.0.0.1", g.port())).run(100, 5_000, 64, 500, null);
            assertThat(r.received()).isPositive();
            assertThat(c.sessionClose(g.testId())).isInstanceOf(Payload.Ok.class);
        }
    }

    private void runThroughput() throws Exception {
        try (LinkClient c = tester.connect(reflector)) {
            Payload.SessionGrant g = (Payload.SessionGrant)
                    c.sessionRequest("throughput", new Payload.SessionParams(2, "tcp", 1, false));
            ThroughputRunner.Result r = new ThroughputRunner("iperf3").run("127.0.0.1", g.port(), 2, 1, false, null);
            // As the field client: no session_close, the session ends with iperf3.
            assertThat(r.ok())
                    .as("iperf3 through the reflector during the outage: %s", r.error())
                    .isTrue();
        }
    }

    private static int sessionsIn(AuthorizedPeerStatus s) {
        return s == null || s.totalSessions == null ? 0 : s.totalSessions.intValue();
    }

    /** Kind/name of everything in the namespace the operator creates for an instance. */
    private List<String> ownedObjects() {
        return Stream.of(
                        admin.apps().deployments().inNamespace(ns).list().getItems(),
                        admin.secrets().inNamespace(ns).list().getItems(),
                        admin.services().inNamespace(ns).list().getItems(),
                        admin.configMaps().inNamespace(ns).list().getItems(),
                        admin.serviceAccounts().inNamespace(ns).list().getItems(),
                        admin.rbac().roles().inNamespace(ns).list().getItems(),
                        admin.rbac().roleBindings().inNamespace(ns).list().getItems())
                .flatMap(List::stream)
                .map(o -> o.getKind() + "/" + o.getMetadata().getName())
                .collect(Collectors.toCollection(TreeSet::new))
                .stream()
                .toList();
    }

    private void applyPeer(String name, Appliance a) {
        cluster.kubectlWithInput(a.authorizedPeerYaml(name, INSTANCE), "apply", "-n", ns, "-f", "-")
                .orThrow();
    }

    private ReflectorInstance instance() {
        return admin.resources(ReflectorInstance.class)
                .inNamespace(ns)
                .withName(INSTANCE)
                .get();
    }

    private AuthorizedPeer peer(String name) {
        return admin.resources(AuthorizedPeer.class)
                .inNamespace(ns)
                .withName(name)
                .get();
    }
}
