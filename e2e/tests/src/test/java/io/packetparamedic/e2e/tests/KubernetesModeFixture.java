package io.packetparamedic.e2e.tests;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.packetparamedic.api.crd.AuthorizedPeer;
import io.packetparamedic.api.crd.Labels;
import io.packetparamedic.api.crd.PairingWindow;
import io.packetparamedic.api.crd.ReflectorInstance;
import io.packetparamedic.e2e.harness.Await;
import io.packetparamedic.e2e.harness.KubeCluster;
import io.packetparamedic.e2e.harness.KubeTestCluster;
import io.packetparamedic.e2e.harness.ReflectorProcess;
import io.packetparamedic.e2e.harness.RepoLayout;
import io.packetparamedic.reflector.client.LinkClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 6 end to end, against the harness's real API server: the packaged operator reconciles the
 * sample ReflectorInstance; the test, playing the kubelet, runs the reflector from the Deployment
 * the operator created (its args and env, its ServiceAccount's token; {@link ReflectorPod});
 * appliances are the reflector module's {@link LinkClient}. Each subclass is one group of
 * scenarios with an installation of its own (namespace, instance, host ports, reflector); within
 * a class the methods share it and run in order, each building on the state the previous ones
 * left (peers, counts), as a real installation would.
 */
@KubeCluster
@ExtendWith(OperatorExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class KubernetesModeFixture {

    static final String INSTANCE = "edge";
    static final String DEPLOYMENT = INSTANCE + "-reflector";
    static final int HOURLY_LIMIT = 3;
    static final Duration STATUS = Duration.ofSeconds(15);

    KubeTestCluster cluster;
    KubernetesClient admin;
    String ns;
    Path work;
    ReflectorProcess reflector;

    @BeforeAll
    void applySamplesAndStartTheReflector(KubeTestCluster cluster) throws Exception {
        this.cluster = cluster;
        this.admin = cluster.client();
        this.ns = cluster.createNamespace("kube-mode");
        this.work = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "kube-mode-");
        Path samples = RepoLayout.requireRoot().resolve("config/samples");
        cluster.kubectl(
                        "apply",
                        "-n",
                        ns,
                        "-f",
                        samples.resolve("reflectorinstance.yaml").toString())
                .orThrow();
        // Local adjustments: data ports unlikely to collide with other tests on this machine, a
        // small hourly quota and no cooldown so the quota scenarios reach the limit quickly.
        cluster.mergePatch(
                ns,
                "reflectorinstance",
                INSTANCE,
                "{\"spec\":{" + InstancePorts.next(50).networkJson() + "," + "\"quotas\":{\"maxTestsPerHourPerPeer\":"
                        + HOURLY_LIMIT + ",\"cooldownSec\":0}}}");
        Await.until(
                Duration.ofSeconds(60),
                "the operator's Deployment",
                () -> admin.apps()
                        .deployments()
                        .inNamespace(ns)
                        .withName(DEPLOYMENT)
                        .get());
        Await.until(Duration.ofSeconds(30), "the config Secret with the patched quota", () -> {
            Secret s = admin.secrets()
                    .inNamespace(ns)
                    .withName(INSTANCE + "-config")
                    .get();
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

    // ---- helpers ------------------------------------------------------------------------------

    /** Applies a PairingWindow for this class's instance. */
    void applyPairingWindow(String name, String ttl) {
        cluster.kubectlWithInput("""
                apiVersion: packetparamedic.io/v1alpha1
                kind: PairingWindow
                metadata:
                  name: %s
                spec:
                  reflectorRef:
                    name: %s
                  ttl: %s
                """.formatted(name, INSTANCE, ttl), "apply", "-n", ns, "-f", "-")
                .orThrow();
    }

    /** Milliseconds from {@code sinceNanos} until the reflector closes {@code connection} (-1: it did not). */
    static long millisUntilClosedByServer(LinkClient connection, long sinceNanos) throws Exception {
        return CompletableFuture.supplyAsync(() -> connection.awaitClosedByServer()
                        ? TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sinceNanos)
                        : -1L)
                .get(15, TimeUnit.SECONDS);
    }

    ReflectorInstance instance() {
        return admin.resources(ReflectorInstance.class)
                .inNamespace(ns)
                .withName(INSTANCE)
                .get();
    }

    AuthorizedPeer peer(String name) {
        AuthorizedPeer p = peerOrNull(name);
        if (p == null) throw new IllegalStateException("no AuthorizedPeer " + name);
        return p;
    }

    AuthorizedPeer peerOrNull(String name) {
        return admin.resources(AuthorizedPeer.class)
                .inNamespace(ns)
                .withName(name)
                .get();
    }

    PairingWindow window(String name) {
        return admin.resources(PairingWindow.class)
                .inNamespace(ns)
                .withName(name)
                .get();
    }

    static boolean isTrue(List<Condition> conditions, String type) {
        return conditions != null
                && conditions.stream().anyMatch(c -> type.equals(c.getType()) && "True".equals(c.getStatus()));
    }

    static String decode(Secret s, String key) {
        return new String(Base64.getDecoder().decode(s.getData().get(key)), StandardCharsets.UTF_8);
    }
}
