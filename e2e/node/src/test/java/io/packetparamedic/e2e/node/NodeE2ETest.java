package io.packetparamedic.e2e.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.packetparamedic.api.config.ReflectorConfig;
import io.packetparamedic.api.crd.AuthorizedPeerStatus;
import io.packetparamedic.api.crd.ReflectorInstance;
import io.packetparamedic.api.crd.ReflectorInstanceStatus;
import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.api.identity.EndpointId;
import io.packetparamedic.e2e.harness.Await;
import io.packetparamedic.e2e.harness.Exec;
import io.packetparamedic.e2e.harness.KubeCluster;
import io.packetparamedic.e2e.harness.KubeNode;
import io.packetparamedic.e2e.harness.KubeTestCluster;
import io.packetparamedic.e2e.harness.KubectlResult;
import io.packetparamedic.e2e.harness.Repo;
import io.packetparamedic.e2e.harness.RepoLayout;
import io.packetparamedic.reflector.client.LinkClient;
import io.packetparamedic.reflector.client.UdpEchoProbe;
import io.packetparamedic.reflector.conformance.FieldSpeedTest;
import io.packetparamedic.reflector.wire.Payload;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * What a cluster admin does, on a real node: pods from locally built images, the operator
 * installed with helm, the sample ReflectorInstance reconciled into a hostNetwork reflector pod,
 * appliances connecting to the node's address. One node for the class; the methods run in order
 * and build on each other's state, as on a real installation.
 */
@Order(3)
@KubeCluster(node = true)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NodeE2ETest {

    static final String REFLECTOR_IMAGE = OperatorChart.REFLECTOR_IMAGE;
    static final String OPERATOR_IMAGE = OperatorChart.OPERATOR_IMAGE;
    static final String PAUSE_IMAGE = "localhost/packetparamedic/pause:dev";
    static final String RELEASE = OperatorChart.RELEASE;
    static final String OPERATOR_NS = OperatorChart.OPERATOR_NS;
    static final String INSTANCE = "edge";
    static final int CONTROL_PORT = 4000;
    static final int HEALTH_PORT = 7301;

    KubeTestCluster cluster;
    KubeNode node;
    KubernetesClient admin;
    String ns;
    boolean operatorInstalled;

    @BeforeAll
    void setUp(KubeTestCluster cluster, KubeNode node) {
        this.cluster = cluster;
        this.node = node;
        this.admin = cluster.client();
        System.err.printf(
                "[node-e2e] node %s at %s (namespace %s), images %s%n",
                node.name(), node.address(), node.netns(), node.images());
    }

    // ---- (a) smoke ----------------------------------------------------------------------------

    @Test
    @Order(1)
    void aHostNetworkPodFromALocallyImportedImageBecomesRunningAndReady() throws Exception {
        assertThat(node.images()).contains(PAUSE_IMAGE);
        String smoke = cluster.createNamespace("smoke");
        long t0 = System.nanoTime();
        cluster.kubectlWithInput("""
                apiVersion: v1
                kind: Pod
                metadata: {name: host}
                spec:
                  hostNetwork: true
                  dnsPolicy: Default
                  containers:
                  - {name: main, image: %1$s, imagePullPolicy: Never}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: pod-network}
                spec:
                  dnsPolicy: Default
                  containers:
                  - {name: main, image: %1$s, imagePullPolicy: Never}
                """.formatted(PAUSE_IMAGE), "apply", "-n", smoke, "-f", "-")
                .orThrow();
        Pod host = Await.until(Duration.ofSeconds(60), "pod host Ready", () -> readyPod(smoke, "host"));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        Pod podNet = Await.until(Duration.ofSeconds(60), "pod pod-network Ready", () -> readyPod(smoke, "pod-network"));
        System.err.printf("[node-e2e] hostNetwork pod Running and Ready %d ms after kubectl apply%n", ms);
        assertThat(host.getSpec().getNodeName()).isEqualTo(node.name());
        assertThat(host.getStatus().getPodIP()).isEqualTo(node.address());
        assertThat(host.getStatus().getPhase()).isEqualTo("Running");
        String prefix = node.podCidr().substring(0, node.podCidr().lastIndexOf('.') + 1);
        assertThat(podNet.getStatus().getPodIP()).startsWith(prefix);
        assertThat(node.crictl("pods", "--namespace", smoke, "-q")
                        .lines()
                        .filter(l -> !l.startsWith("time="))
                        .count())
                .isEqualTo(2);
        cluster.kubectl("delete", "namespace", smoke, "--wait=false").orThrow();
    }

    // ---- (b) helm install + samples -----------------------------------------------------------

    @Test
    @Order(2)
    void helmInstallsTheOperatorFromTheLocalImageAndItHoldsItsLease() throws Exception {
        assumeImages();
        long t0 = System.nanoTime();
        KubectlResult install = new OperatorChart(cluster).install("");
        assertThat(install.exitCode()).as(install.toString()).isZero();
        operatorInstalled = true;
        System.err.printf(
                "[node-e2e] helm install --wait: operator Ready after %.1f s%n", (System.nanoTime() - t0) / 1e9);

        List<Pod> pods = admin.pods().inNamespace(OPERATOR_NS).list().getItems();
        assertThat(pods).hasSize(1);
        Pod op = pods.get(0);
        assertThat(op.getSpec().getNodeName()).isEqualTo(node.name());
        assertThat(op.getSpec().getContainers().get(0).getImage()).isEqualTo(OPERATOR_IMAGE);
        assertThat(isReady(op)).isTrue();
        for (String crd : OperatorChart.CRDS) {
            var definition = admin.apiextensions()
                    .v1()
                    .customResourceDefinitions()
                    .withName(crd + ".packetparamedic.io")
                    .get();
            assertThat(definition).as("CRD " + crd).isNotNull();
            assertThat(definition.getMetadata().getAnnotations())
                    .as("CRD " + crd + " kept by helm uninstall")
                    .containsEntry("helm.sh/resource-policy", "keep");
        }
        Lease lease = Await.until(Duration.ofSeconds(60), "the operator's leader Lease held by its pod", () -> {
            for (Lease l : admin.leases().inNamespace(OPERATOR_NS).list().getItems()) {
                if (op.getMetadata().getName().equals(l.getSpec().getHolderIdentity())) return l;
            }
            return null;
        });
        System.err.printf(
                "[node-e2e] leader Lease %s held by %s%n",
                lease.getMetadata().getName(), lease.getSpec().getHolderIdentity());
    }

    @Test
    @Order(3)
    void theSampleInstanceRunsAsAHostNetworkReflectorPodOnTheNode() throws Exception {
        assumeOperator();
        ns = cluster.createNamespace("node-e2e");
        Path samples = RepoLayout.requireRoot().resolve("config/samples");
        long t0 = System.nanoTime();
        cluster.kubectl("apply", "-n", ns, "-f", samples.toString()).orThrow();
        // The sample advertises 192.0.2.10 (documentation range); here the node's address inside
        // the run's namespace is the one appliances reach.
        cluster.mergePatch(
                ns,
                "reflectorinstance",
                INSTANCE,
                "{\"spec\":{\"network\":{\"advertisedAddress\":\"" + node.address() + "\"}}}");
        Pod pod = Await.until(Duration.ofSeconds(120), "the reflector pod Ready", () -> {
            Pod p = reflectorPod();
            return p != null && isReady(p) ? p : null;
        });
        System.err.printf(
                "[node-e2e] reflector pod Ready %.1f s after kubectl apply of the samples%n",
                (System.nanoTime() - t0) / 1e9);

        assertThat(pod.getSpec().getHostNetwork()).isTrue();
        assertThat(pod.getSpec().getNodeName()).isEqualTo(node.name());
        assertThat(pod.getStatus().getPodIP()).isEqualTo(node.address());
        Container c = pod.getSpec().getContainers().get(0);
        assertThat(c.getImage()).isEqualTo(REFLECTOR_IMAGE);
        assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/health");
        assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(c.getSecurityContext().getCapabilities().getDrop()).contains("ALL");
        Boolean nonRoot = Optional.ofNullable(c.getSecurityContext().getRunAsNonRoot())
                .orElse(
                        pod.getSpec().getSecurityContext() == null
                                ? null
                                : pod.getSpec().getSecurityContext().getRunAsNonRoot());
        assertThat(nonRoot).as("runAsNonRoot").isTrue();
        assertThat(c.getEnv()).noneMatch(e -> e.getName().equals("KUBECONFIG"));
        assertThat(c.getVolumeMounts())
                .anyMatch(m -> m.getMountPath().equals("/var/run/secrets/kubernetes.io/serviceaccount"));

        // What the kubelet really ran: the process's user and its root filesystem.
        String uid = cluster.kubectl("exec", "-n", ns, pod.getMetadata().getName(), "--", "id", "-u")
                .orThrow()
                .stdout()
                .strip();
        assertThat(uid).isEqualTo("10001");
        KubectlResult write =
                cluster.kubectl("exec", "-n", ns, pod.getMetadata().getName(), "--", "touch", "/probe");
        assertThat(write.exitCode()).isNotZero();
        assertThat(write.stderr()).contains("Read-only file system");

        // The pod used its ServiceAccount token through the `kubernetes` Service (in-cluster).
        String logs = cluster.kubectl("logs", "-n", ns, pod.getMetadata().getName())
                .orThrow()
                .stdout();
        assertThat(logs).contains("in-cluster service account");
        ReflectorInstance ri = Await.until(Duration.ofSeconds(60), "instance Ready with a heartbeat", () -> {
            ReflectorInstance r = instance();
            return r.getStatus() != null
                            && isTrue(r.getStatus().conditions, "Ready")
                            && r.getStatus().lastHeartbeat != null
                            && node.address().equals(r.getStatus().advertisedAddress)
                    ? r
                    : null;
        });
        assertThat(ri.getStatus().node).isEqualTo(node.name());

        // Readiness through /health, from the test JVM over the veth.
        HttpResponse<String> health = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://" + node.address() + ":" + HEALTH_PORT + "/health"))
                                .timeout(Duration.ofSeconds(5))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);

        Map<String, String> row =
                cluster.kubectl("get", "reflectors", "-n", ns).orThrow().tableRow(INSTANCE);
        System.err.println("[node-e2e] kubectl get reflectors: " + row);
        assertThat(row).containsEntry("READY", "True").containsEntry("ADDRESS", node.address() + ":" + CONTROL_PORT);

        // The kubectl plugin's doctor on a healthy cluster: CRDs, the operator Deployment's ready
        // replicas (only a real node runs them), Pod Security, host ports and the instance all OK.
        Exec.Result doctor = Exec.of(
                        Repo.artifact(
                                        "kubectl-plugin/target/kubectl-packetparamedic",
                                        "./mvnw -B -pl kubectl-plugin -am package -DskipTests")
                                .toString(),
                        "doctor",
                        "-n",
                        ns,
                        "--kubeconfig=" + cluster.kubeconfigPath())
                .env(Map.of("JAVA_HOME", System.getProperty("java.home")))
                .unset("KUBECONFIG")
                .timeout(Duration.ofSeconds(60))
                .run();
        System.err.println("[node-e2e] kubectl packetparamedic doctor -n " + ns + ":\n" + doctor.stdout());
        assertThat(doctor.exitCode()).as(doctor.toString()).isZero();
        List<String> findings =
                doctor.stdout().lines().filter(l -> !l.isBlank()).toList();
        assertThat(findings)
                .as("one line per finding, every one OK")
                .isNotEmpty()
                .allMatch(l -> l.startsWith("OK "));
        assertThat(findings).anyMatch(l -> l.contains("operator") && l.contains("replicas ready"));
    }

    // ---- (c) appliances -----------------------------------------------------------------------

    @Test
    @Order(4)
    void anUnknownApplianceIsRefusedAndAnAppliedPeerIsAcceptedWithinASecond() throws Exception {
        assumeReflector();
        Ed25519Identity unknown = Ed25519Identity.generate();
        assertThat(accepted(unknown)).as("an unknown appliance is refused").isFalse();

        // Warm-up, not measured.
        Ed25519Identity warm = Ed25519Identity.generate();
        applyPeer("warm-up", warm);
        Await.until(Duration.ofSeconds(15), "warm-up peer accepted", () -> accepted(warm));
        cluster.kubectl("delete", "-n", ns, "authorizedpeer", "warm-up").orThrow();
        Await.until(Duration.ofSeconds(15), "warm-up peer refused again", () -> !accepted(warm));

        int tries = 20;
        long[] ms = new long[tries];
        for (int i = 0; i < tries; i++) {
            Ed25519Identity a = i == 0 ? unknown : Ed25519Identity.generate();
            accepted(a); // refused, but the client's code paths are warm before the clock starts
            applyPeer("latency-" + i, a);
            long t1 = System.nanoTime();
            long deadline = t1 + TimeUnit.SECONDS.toNanos(10);
            while (!accepted(a)) {
                assertThat(System.nanoTime())
                        .as("peer %d accepted within 10 s", i)
                        .isLessThan(deadline);
                Thread.sleep(20);
            }
            ms[i] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t1);
        }
        System.err.printf(
                "[node-e2e] apply-to-accept through the node's address over %d tries: p50=%d ms p99=%d ms max=%d ms;"
                        + " samples=%s; load %s%n",
                tries,
                Await.percentile(ms, 50),
                Await.percentile(ms, 99),
                Arrays.stream(ms).max().orElse(0),
                Arrays.toString(ms),
                Files.readString(Path.of("/proc/loadavg")).strip());
        assertThat(Await.percentile(ms, 99)).as("p99 apply-to-accept (ms)").isLessThanOrEqualTo(1000);

        AuthorizedPeerStatus seen;
        try {
            seen = Await.until(Duration.ofSeconds(20), "lastSeenTime on latency-19", () -> {
                var p = admin.resources(io.packetparamedic.api.crd.AuthorizedPeer.class)
                        .inNamespace(ns)
                        .withName("latency-19")
                        .get();
                return p.getStatus() != null && p.getStatus().lastSeenTime != null ? p.getStatus() : null;
            });
        } catch (AssertionError e) {
            // What the pod's status reporter did, and who wrote the peer's status, for the report.
            System.err.println("[node-e2e] latency-19 without lastSeenTime; the peer as stored:\n"
                    + cluster.kubectl(
                                    "get",
                                    "-n",
                                    ns,
                                    "authorizedpeer",
                                    "latency-19",
                                    "-o",
                                    "yaml",
                                    "--show-managed-fields")
                            .stdout()
                    + "\n[node-e2e] the reflector pod's log (last 60 lines):\n"
                    + cluster.kubectl(
                                    "logs",
                                    "-n",
                                    ns,
                                    reflectorPod().getMetadata().getName(),
                                    "--tail=60")
                            .stdout());
            throw e;
        }
        // The appliance came in over the veth from the host's end of it.
        assertThat(seen.lastAddress).isEqualTo(node.hostAddress());
    }

    @Test
    @Order(5)
    void udpEchoThroughThePodAndTheBytesInTheStatus() throws Exception {
        assumeReflector();
        Ed25519Identity tester = Ed25519Identity.generate();
        applyPeer("tester", tester);
        Await.until(Duration.ofSeconds(15), "tester accepted", () -> accepted(tester));
        try (LinkClient c = connect(tester)) {
            Payload grant = c.sessionRequest("udp_echo", new Payload.SessionParams(20, null, null, null));
            assertThat(grant).isInstanceOf(Payload.SessionGrant.class);
            Payload.SessionGrant g = (Payload.SessionGrant) grant;
            UdpEchoProbe.Result r =
                    new UdpEchoProbe(new InetSocketAddress(node.address(), g.port())).run(300, 10_000, 64, 500, null);
            System.err.printf("[node-e2e] UDP echo through the pod: %d/300 received%n", r.received());
            assertThat(r.received()).isEqualTo(300);
            assertThat(c.sessionClose(g.testId())).isInstanceOf(Payload.Ok.class);
        }
        AuthorizedPeerStatus after = Await.until(Duration.ofSeconds(20), "tester's bytes in its status", () -> {
            var p = admin.resources(io.packetparamedic.api.crd.AuthorizedPeer.class)
                    .inNamespace(ns)
                    .withName("tester")
                    .get();
            AuthorizedPeerStatus st = p.getStatus();
            return st != null && st.bytesToday != null && st.bytesToday > 0 ? st : null;
        });
        System.err.printf(
                "[node-e2e] tester status: bytesToday=%d totalSessions=%d%n", after.bytesToday, after.totalSessions);
        assertThat(after.bytesToday).isGreaterThanOrEqualTo(300L * 64);
    }

    @Test
    @Order(6)
    void iperf3ThroughputUpAndDownThroughThePod() throws Exception {
        assumeReflector();
        Ed25519Identity appliance = Ed25519Identity.generate();
        applyPeer("speed", appliance);
        Await.until(Duration.ofSeconds(15), "speed peer accepted", () -> accepted(appliance));
        long t0 = System.nanoTime();
        FieldSpeedTest.Result r =
                FieldSpeedTest.run(new InetSocketAddress(node.address(), CONTROL_PORT), appliance, "iperf3");
        System.err.printf(
                "[node-e2e] iperf3 through the reflector pod in %.1f s: upload %.0f Mbit/s, download %.0f Mbit/s, %.2f GB%n",
                (System.nanoTime() - t0) / 1e9,
                r.upload().receivedMbps(),
                r.download().receivedMbps(),
                r.bytesSent() / 1e9);
        assertThat(r.upload().bytesReceived()).isPositive();
        assertThat(r.download().bytesReceived()).isPositive();
        AuthorizedPeerStatus st = Await.until(Duration.ofSeconds(30), "speed's bytes in its status", () -> {
            var p = admin.resources(io.packetparamedic.api.crd.AuthorizedPeer.class)
                    .inNamespace(ns)
                    .withName("speed")
                    .get();
            AuthorizedPeerStatus s = p.getStatus();
            return s != null
                            && s.totalSessions != null
                            && s.totalSessions == 2
                            && s.bytesToday != null
                            && s.bytesToday >= r.bytesSent() * 0.95
                    ? s
                    : null;
        });
        System.err.printf("[node-e2e] speed status: bytesToday=%d (client moved %d)%n", st.bytesToday, r.bytesSent());
    }

    // ---- (d) life of the pod --------------------------------------------------------------------

    @Test
    @Order(7)
    void deletingThePodGivesANewPodWithTheSameIdAndTheHourlyCount() throws Exception {
        assumeReflector();
        String id = endpointId();
        Pod old = reflectorPod();
        Integer testsBefore = peerStatus("tester").testsLastHour;
        long t0 = System.nanoTime();
        cluster.kubectl("delete", "pod", "-n", ns, old.getMetadata().getName()).orThrow();
        Pod fresh = Await.until(Duration.ofSeconds(120), "a new reflector pod Ready", () -> {
            Pod p = reflectorPod();
            return p != null
                            && !p.getMetadata()
                                    .getUid()
                                    .equals(old.getMetadata().getUid())
                            && isReady(p)
                    ? p
                    : null;
        });
        System.err.printf(
                "[node-e2e] kubectl delete pod: new pod %s Ready after %.1f s%n",
                fresh.getMetadata().getName(), (System.nanoTime() - t0) / 1e9);
        String logs = cluster.kubectl("logs", "-n", ns, fresh.getMetadata().getName())
                .orThrow()
                .stdout();
        assertThat(logs).contains("endpoint_id=" + id);
        Await.until(Duration.ofSeconds(30), "the new pod's heartbeat with the same Endpoint ID", () -> {
            ReflectorInstanceStatus s = instance().getStatus();
            return id.equals(s.reportedEndpointId) && isTrue(s.conditions, "Ready");
        });
        Ed25519Identity check = Ed25519Identity.generate();
        applyPeer("after-delete", check);
        Await.until(Duration.ofSeconds(15), "a peer accepted by the new pod", () -> accepted(check));
        assertThat(peerStatus("tester").testsLastHour)
                .as("tester's hourly count survived")
                .isEqualTo(testsBefore);
    }

    @Test
    @Order(8)
    void afterAKubeletRestartThePodIsReadyAgain() throws Exception {
        assumeReflector();
        Pod before = reflectorPod();
        String id = endpointId();
        long t0 = System.nanoTime();
        node.script(Duration.ofMinutes(3), "restart-kubelet").orThrow();
        Pod after = Await.until(Duration.ofSeconds(120), "the reflector pod Ready after the kubelet restart", () -> {
            Pod p = reflectorPod();
            return p != null && isReady(p) ? p : null;
        });
        System.err.printf(
                "[node-e2e] kubelet restart: node and reflector pod Ready again after %.1f s (pod %s, restarts %d)%n",
                (System.nanoTime() - t0) / 1e9,
                after.getMetadata().getName(),
                after.getStatus().getContainerStatuses().get(0).getRestartCount());
        assertThat(after.getMetadata().getUid()).isEqualTo(before.getMetadata().getUid());
        Ed25519Identity check = Ed25519Identity.generate();
        applyPeer("after-kubelet", check);
        Await.until(Duration.ofSeconds(15), "a peer accepted after the kubelet restart", () -> accepted(check));
        assertThat(endpointId()).isEqualTo(id);
    }

    /**
     * Issue 20 item 6 on the real node: deleting the pod while a test runs sends SIGTERM; the
     * reflector drains — a new test is refused as busy with a retry time, the running one goes on
     * to its end — and exits by itself once it is over, well inside the grace period the operator
     * gave the pod (drain period + 15 s).
     */
    @Test
    @Order(9)
    void deletingThePodDuringATestLetsTheTestFinishAndTellsNewcomersWhenToRetry() throws Exception {
        assumeReflector();
        Ed25519Identity runner = Ed25519Identity.generate();
        Ed25519Identity latecomer = Ed25519Identity.generate();
        applyPeer("drain-runner", runner);
        applyPeer("drain-latecomer", latecomer);
        Await.until(Duration.ofSeconds(15), "both drain peers accepted", () -> accepted(runner) && accepted(latecomer));
        Pod old = reflectorPod();
        Integer drainSpec =
                instance().getSpec().network == null ? null : instance().getSpec().network.drainTimeoutSec;
        long drainSec = drainSpec != null ? drainSpec : new ReflectorConfig().network.drainTimeoutSec;
        assertThat(old.getSpec().getTerminationGracePeriodSeconds())
                .as("the pod's grace period: the drain period and 15 s for the rest of the shutdown")
                .isEqualTo(drainSec + 15);
        ExecutorService probeThread = Executors.newSingleThreadExecutor();
        try (LinkClient c = connect(runner);
                LinkClient late = connect(latecomer)) {
            Payload.SessionGrant g = (Payload.SessionGrant)
                    c.sessionRequest("udp_echo", new Payload.SessionParams(15, null, null, null));
            // 100 echoes 100 ms apart: a 10 s test, most of it after the SIGTERM.
            Future<UdpEchoProbe.Result> probe = probeThread.submit(() ->
                    new UdpEchoProbe(new InetSocketAddress(node.address(), g.port())).run(100, 100_000, 64, 500, null));
            long deleted = System.nanoTime();
            cluster.kubectl("delete", "pod", "-n", ns, old.getMetadata().getName(), "--wait=false")
                    .orThrow();
            // Until the SIGTERM arrives a newcomer may still be granted a test: give it back and ask again.
            Payload.SessionDeny refused =
                    Await.until(Duration.ofSeconds(30), "a new test refused while draining", () -> {
                        try {
                            Payload p = late.sessionRequest("udp_echo", new Payload.SessionParams(5, null, null, null));
                            if (p instanceof Payload.SessionGrant early) late.sessionClose(early.testId());
                            return p instanceof Payload.SessionDeny d
                                            && d.message().contains("restarting")
                                    ? d
                                    : null;
                        } catch (IOException e) {
                            throw new UncheckedIOException("the control connection failed during the drain", e);
                        }
                    });
            assertThat(refused.reason()).isEqualTo("busy");
            assertThat(refused.retryAfterSec())
                    .as("retry_after_sec")
                    .isNotNull()
                    .isPositive();
            UdpEchoProbe.Result r = probe.get(60, TimeUnit.SECONDS);
            assertThat(r.received())
                    .as("echoes of the test that was running at the SIGTERM")
                    .isEqualTo(100);
            assertThat(admin.pods()
                            .inNamespace(ns)
                            .withName(old.getMetadata().getName())
                            .get())
                    .as("the old pod, still draining when its test ended")
                    .isNotNull();
            assertThat(c.sessionClose(g.testId())).isInstanceOf(Payload.Ok.class);
            Await.until(
                    Duration.ofSeconds(drainSec + 15),
                    "the drained pod gone",
                    () -> admin.pods()
                                    .inNamespace(ns)
                                    .withName(old.getMetadata().getName())
                                    .get()
                            == null);
            double goneSec = (System.nanoTime() - deleted) / 1e9;
            System.err.printf(
                    "[node-e2e] drain: newcomer refused (busy, retry after %d s), the running test got %d/100 echoes,"
                            + " pod gone %.1f s after the delete (grace period %d s)%n",
                    refused.retryAfterSec(), r.received(), goneSec, drainSec + 15);
            assertThat(goneSec).as("exited by itself once the test was over").isLessThan(drainSec);
        } finally {
            probeThread.shutdownNow();
        }
        Await.until(Duration.ofSeconds(120), "a new reflector pod Ready", () -> {
            Pod p = reflectorPod();
            return p != null
                    && !p.getMetadata().getUid().equals(old.getMetadata().getUid())
                    && isReady(p);
        });
        Await.until(Duration.ofSeconds(30), "the runner accepted by the new pod", () -> accepted(runner));
    }

    @Test
    @Order(10)
    void rotatingTheIdentityThroughTheCrRestartsThePodWithANewIdAndTheOldOneIsRefused() throws Exception {
        assumeReflector();
        String oldId = endpointId();
        Ed25519Identity tester = Ed25519Identity.generate();
        applyPeer("rotation-tester", tester);
        Await.until(Duration.ofSeconds(15), "rotation tester accepted", () -> accepted(tester));
        Pod before = reflectorPod();
        long t0 = System.nanoTime();
        cluster.mergePatch(
                ns, "reflectorinstance", INSTANCE, "{\"spec\":{\"identity\":{\"rotation\":\"node-e2e-1\"}}}");
        int restartsBefore = before.getStatus().getContainerStatuses().get(0).getRestartCount();
        // The reflector watches its identity Secret and exits when it changes; the kubelet
        // restarts the container (same pod, restartCount + 1) with the new identity.
        ReflectorInstanceStatus rotated =
                Await.until(Duration.ofSeconds(120), "the new Endpoint ID reported by a restarted reflector", () -> {
                    ReflectorInstanceStatus s = instance().getStatus();
                    Pod p = reflectorPod();
                    return s.endpointId != null
                                    && !s.endpointId.equals(oldId)
                                    && s.endpointId.equals(s.reportedEndpointId)
                                    && p != null
                                    && isReady(p)
                            ? s
                            : null;
                });
        Pod after = reflectorPod();
        int restartsAfter = after.getStatus().getContainerStatuses().get(0).getRestartCount();
        System.err.printf(
                "[node-e2e] rotation: new Endpoint ID reported after %.1f s (pod %s, restarts %d -> %d)%n",
                (System.nanoTime() - t0) / 1e9, after.getMetadata().getName(), restartsBefore, restartsAfter);
        assertThat(restartsAfter > restartsBefore
                        || !after.getMetadata()
                                .getUid()
                                .equals(before.getMetadata().getUid()))
                .as("the reflector restarted by itself")
                .isTrue();
        assertThat(rotated.previousEndpointIds).contains(oldId);
        Await.until(Duration.ofSeconds(15), "the tester accepted under the new ID", () -> accepted(tester));
        // An appliance pinned to the old ID refuses the reflector that now has another one.
        try (LinkClient c = LinkClient.connect(
                node.address(),
                CONTROL_PORT,
                tester,
                LinkClient.Options.defaults().pinning(EndpointId.parse(oldId)))) {
            c.status();
            throw new AssertionError("a connection pinned to the old Endpoint ID succeeded");
        } catch (IOException expected) {
            System.err.println("[node-e2e] pinned to the old ID: " + expected);
        }
    }

    @Test
    @Order(11)
    void podSecurityBaselineRejectsTheHostNetworkPodAndTheInstanceSaysHowToFixIt() throws Exception {
        assumeReflector();
        String psa = cluster.createNamespace("psa");
        cluster.kubectl("label", "namespace", psa, "pod-security.kubernetes.io/enforce=baseline")
                .orThrow();
        // The sample, on other host ports than the instance already on this node.
        cluster.kubectlWithInput("""
                apiVersion: packetparamedic.io/v1alpha1
                kind: ReflectorInstance
                metadata:
                  name: %s
                spec:
                  network:
                    hostNetwork: true
                    controlPort: 4100
                    healthPort: 7401
                    dataPortRange: {start: 5301, end: 5399}
                    advertisedAddress: %s
                """.formatted(INSTANCE, node.address()), "apply", "-n", psa, "-f", "-")
                .orThrow();
        long t0 = System.nanoTime();
        ReflectorInstance rejected;
        try {
            rejected = Await.until(Duration.ofSeconds(90), "the instance Degraded with PodSecurityRejected", () -> {
                ReflectorInstance r = admin.resources(ReflectorInstance.class)
                        .inNamespace(psa)
                        .withName(INSTANCE)
                        .get();
                return r.getStatus() != null
                                && r.getStatus().conditions != null
                                && r.getStatus().conditions.stream()
                                        .anyMatch(c -> "Degraded".equals(c.getType())
                                                && "True".equals(c.getStatus())
                                                && "PodSecurityRejected".equals(c.getReason()))
                        ? r
                        : null;
            });
        } catch (AssertionError e) {
            throw new AssertionError(
                    e.getMessage() + "\ninstance conditions: "
                            + cluster.kubectl(
                                            "get",
                                            "reflectorinstance",
                                            INSTANCE,
                                            "-n",
                                            psa,
                                            "-o",
                                            "jsonpath={.status.conditions}")
                                    .stdout()
                            + "\ndeployment conditions: "
                            + cluster.kubectl(
                                            "get",
                                            "deployments",
                                            "-n",
                                            psa,
                                            "-o",
                                            "jsonpath={.items[*].status.conditions}")
                                    .stdout()
                            + "\noperator log: "
                            + new OperatorChart(cluster).operatorLog(30),
                    e);
        }
        System.err.printf(
                "[node-e2e] Pod Security rejection surfaced in the instance's status after %.1f s%n",
                (System.nanoTime() - t0) / 1e9);
        Condition degraded = rejected.getStatus().conditions.stream()
                .filter(c -> "Degraded".equals(c.getType()))
                .findFirst()
                .orElseThrow();
        assertThat(degraded.getMessage())
                .contains("PodSecurity")
                .contains("hostNetwork")
                .contains("kubectl label namespace " + psa + " pod-security.kubernetes.io/enforce=privileged");
        assertThat(rejected.getStatus().conditions)
                .anyMatch(c -> "Ready".equals(c.getType())
                        && "False".equals(c.getStatus())
                        && "PodSecurityRejected".equals(c.getReason()));
        assertThat(admin.pods().inNamespace(psa).list().getItems()).isEmpty();
        var event = Await.until(
                Duration.ofSeconds(30),
                "a PodSecurityRejected Event on the instance",
                () -> admin.v1().events().inNamespace(psa).list().getItems().stream()
                        .filter(e -> "PodSecurityRejected".equals(e.getReason())
                                && INSTANCE.equals(e.getInvolvedObject().getName()))
                        .findFirst()
                        .orElse(null));
        System.err.println(
                "[node-e2e] event: " + event.getType() + " " + event.getReason() + ": " + event.getMessage());
        assertThat(event.getType()).isEqualTo("Warning");

        // The fix the message gives.
        cluster.kubectl("label", "namespace", psa, "pod-security.kubernetes.io/enforce=privileged", "--overwrite")
                .orThrow();
        long f0 = System.nanoTime();
        Await.until(Duration.ofSeconds(180), "the instance Ready after the namespace was relabelled", () -> {
            ReflectorInstance r = admin.resources(ReflectorInstance.class)
                    .inNamespace(psa)
                    .withName(INSTANCE)
                    .get();
            return r.getStatus() != null && isTrue(r.getStatus().conditions, "Ready");
        });
        System.err.printf(
                "[node-e2e] after labelling the namespace privileged: instance Ready in %.1f s%n",
                (System.nanoTime() - f0) / 1e9);
        cluster.kubectl("delete", "reflectorinstance", INSTANCE, "-n", psa, "--wait=true", "--timeout=60s")
                .orThrow();
        Await.until(
                Duration.ofSeconds(60),
                "the psa instance's pods gone",
                () -> admin.pods().inNamespace(psa).list().getItems().isEmpty());
    }

    @Test
    @Order(12)
    void helmUninstallAndDeletingTheResourcesLeaveNoOrphans() throws Exception {
        assumeReflector();
        cluster.kubectl(
                        "delete",
                        "reflectorinstances,authorizedpeers,pairingwindows",
                        "--all",
                        "-n",
                        ns,
                        "--wait=true",
                        "--timeout=60s")
                .orThrow();
        Await.until(
                Duration.ofSeconds(60),
                "the reflector's Deployment, pods and Secrets gone",
                () -> admin.apps()
                                .deployments()
                                .inNamespace(ns)
                                .list()
                                .getItems()
                                .isEmpty()
                        && admin.pods().inNamespace(ns).list().getItems().isEmpty()
                        && admin.secrets().inNamespace(ns).list().getItems().isEmpty()
                        && admin.serviceAccounts().inNamespace(ns).list().getItems().stream()
                                .allMatch(sa -> sa.getMetadata().getName().equals("default")));
        KubectlResult uninstall = new OperatorChart(cluster).uninstall();
        assertThat(uninstall.exitCode()).as(uninstall.toString()).isZero();
        Await.until(
                Duration.ofSeconds(60),
                "the operator's objects gone",
                () -> admin.apps()
                                .deployments()
                                .inNamespace(OPERATOR_NS)
                                .list()
                                .getItems()
                                .isEmpty()
                        && admin.pods()
                                .inNamespace(OPERATOR_NS)
                                .list()
                                .getItems()
                                .isEmpty()
                        && admin.services()
                                .inNamespace(OPERATOR_NS)
                                .list()
                                .getItems()
                                .isEmpty()
                        && admin.serviceAccounts().inNamespace(OPERATOR_NS).list().getItems().stream()
                                .allMatch(sa -> sa.getMetadata().getName().equals("default")));
        assertThat(admin.rbac().clusterRoles().list().getItems())
                .noneMatch(r -> r.getMetadata().getName().contains(RELEASE + "-"));
        assertThat(admin.rbac().clusterRoleBindings().list().getItems())
                .noneMatch(r -> r.getMetadata().getName().contains(RELEASE + "-"));
        // What is left by design: the CRDs (helm.sh/resource-policy: keep) and the leader Lease, which
        // the operator, not the chart, created in the release namespace.
        assertThat(admin.apiextensions()
                        .v1()
                        .customResourceDefinitions()
                        .withName("reflectorinstances.packetparamedic.io")
                        .get())
                .as("the CRDs outlive the release")
                .isNotNull();
        System.err.println("[node-e2e] after uninstall, leases in " + OPERATOR_NS + ": "
                + admin.leases().inNamespace(OPERATOR_NS).list().getItems().stream()
                        .map(l -> l.getMetadata().getName() + "(holder="
                                + l.getSpec().getHolderIdentity() + ")")
                        .toList());
        String crictl = node.crictl("ps", "-a");
        System.err.println("[node-e2e] containers on the node after uninstall:\n" + crictl);
        assertThat(crictl).doesNotContain("reflector").doesNotContain("operator");
    }

    // ---- helpers ------------------------------------------------------------------------------

    private AuthorizedPeerStatus peerStatus(String name) {
        return admin.resources(io.packetparamedic.api.crd.AuthorizedPeer.class)
                .inNamespace(ns)
                .withName(name)
                .get()
                .getStatus();
    }

    private void assumeImages() {
        List<String> images = node.images();
        Assumptions.assumeTrue(
                images.contains(OPERATOR_IMAGE) && images.contains(REFLECTOR_IMAGE),
                "the local operator and reflector images are not on the node (e2e/hack/images.sh, or pp.node.images); images: "
                        + images);
    }

    private void assumeOperator() {
        assumeImages();
        Assumptions.assumeTrue(operatorInstalled, "the operator was not installed (see the helm test)");
    }

    private void assumeReflector() {
        assumeOperator();
        Assumptions.assumeTrue(ns != null && reflectorPod() != null, "no reflector pod (see the samples test)");
    }

    private Pod reflectorPod() {
        return admin.pods().inNamespace(ns).withLabel("app.kubernetes.io/instance", INSTANCE).list().getItems().stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                .findFirst()
                .orElse(null);
    }

    private Pod readyPod(String namespace, String name) {
        Pod p = admin.pods().inNamespace(namespace).withName(name).get();
        return p != null && isReady(p) ? p : null;
    }

    private static boolean isReady(Pod p) {
        if (p.getStatus() == null || p.getStatus().getConditions() == null) return false;
        for (PodCondition c : p.getStatus().getConditions()) {
            if ("Ready".equals(c.getType())) return "True".equals(c.getStatus());
        }
        return false;
    }

    private ReflectorInstance instance() {
        return admin.resources(ReflectorInstance.class)
                .inNamespace(ns)
                .withName(INSTANCE)
                .get();
    }

    private String endpointId() {
        ReflectorInstanceStatus s = instance().getStatus();
        return s.endpointId;
    }

    private LinkClient connect(Ed25519Identity id) throws IOException {
        return LinkClient.connect(
                node.address(),
                CONTROL_PORT,
                id,
                LinkClient.Options.defaults().pinning(EndpointId.parse(endpointId())));
    }

    private boolean accepted(Ed25519Identity id) {
        try (LinkClient c = connect(id)) {
            c.status();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void applyPeer(String name, Ed25519Identity id) {
        AuthorizedPeers.apply(cluster, ns, INSTANCE, Map.of(name, id));
    }

    private static boolean isTrue(List<Condition> conditions, String type) {
        return conditions != null
                && conditions.stream().anyMatch(c -> type.equals(c.getType()) && "True".equals(c.getStatus()));
    }
}
