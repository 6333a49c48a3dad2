package io.packetparamedic.e2e.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.packetparamedic.api.crd.AuthorizedPeer;
import io.packetparamedic.api.crd.PairingWindow;
import io.packetparamedic.api.crd.PairingWindowStatus;
import io.packetparamedic.api.crd.ReflectorInstance;
import io.packetparamedic.e2e.harness.Await;
import io.packetparamedic.e2e.harness.KubeCluster;
import io.packetparamedic.e2e.harness.KubeTestCluster;
import io.packetparamedic.e2e.harness.ReflectorProcess;
import io.packetparamedic.e2e.harness.RepoLayout;
import io.packetparamedic.reflector.client.LinkClient;
import io.packetparamedic.reflector.wire.Payload;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The kubectl plugin, run as its single executable file, against the packaged operator and a
 * Kubernetes-mode reflector (the test plays the kubelet, as in {@link KubernetesModeFixture}):
 * {@code pair} opens a window and prints the code, a real appliance pairs with it, and the plugin
 * reports the appliance and its AuthorizedPeer; {@code status} shows that peer in effect;
 * {@code rotate} follows an identity rotation through the pod's restart.
 */
@KubeCluster
@ExtendWith(OperatorExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KubectlPluginE2ETest {

    static final String INSTANCE = "edge";
    static final Duration PLUGIN = Duration.ofSeconds(90);

    KubeTestCluster cluster;
    KubernetesClient admin;
    String ns;
    Path work;
    ReflectorProcess reflector;
    final Appliance appliance = new Appliance();

    @BeforeAll
    void startTheReflector(KubeTestCluster cluster) throws Exception {
        this.cluster = cluster;
        this.admin = cluster.client();
        this.ns = cluster.createNamespace("kplugin");
        this.work = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "kplugin-");
        Path sample = RepoLayout.requireRoot().resolve("config/samples/reflectorinstance.yaml");
        cluster.kubectl("apply", "-n", ns, "-f", sample.toString()).orThrow();
        cluster.mergePatch(
                ns,
                "reflectorinstance",
                INSTANCE,
                "{\"spec\":{" + InstancePorts.next(10).networkJson() + "}}");
        Await.until(
                Duration.ofSeconds(60),
                "the operator's Deployment",
                () -> admin.apps()
                        .deployments()
                        .inNamespace(ns)
                        .withName(INSTANCE + "-reflector")
                        .get());
        reflector = ReflectorPod.start(cluster, ns, INSTANCE + "-reflector", work.resolve("reflector"))
                .awaitBanner(Duration.ofSeconds(60));
        Await.until(Duration.ofSeconds(30), "instance Ready", () -> ready(instance()));
    }

    @AfterAll
    void stop() throws Exception {
        if (reflector != null) reflector.close();
    }

    @Test
    @Order(1)
    void pairPrintsTheCodeAndReportsTheApplianceThatUsedIt() throws Exception {
        try (PluginProcess pair = PluginProcess.start(
                cluster.kubeconfigPath(),
                work,
                "pair",
                INSTANCE,
                "-n",
                ns,
                "--ttl",
                "3m",
                "--peer-name",
                "field-unit",
                "--display-name",
                "Pi in the lab")) {
            String code = pair.awaitLine(Pattern.compile("Pairing code:\\s+(\\S+)"), PLUGIN)
                    .group(1);
            assertThat(pair.awaitLine(Pattern.compile("Endpoint ID:\\s+(\\S+)"), PLUGIN)
                            .group(1))
                    .isEqualTo(reflector.endpointId());
            pair.awaitLine(
                    Pattern.compile("^The reflector has the code: enter the address and the code on the appliance\\.$"),
                    PLUGIN);

            // The window is Ready once the pod reports the config with the code; the appliance
            // still retries, as one would after a refused attempt.
            Payload.PairResponse paired = Await.until(Duration.ofSeconds(30), "pairing with the plugin's code", () -> {
                try (LinkClient c = appliance.connect(reflector)) {
                    Payload.PairResponse r = c.pair(code);
                    return r.success() ? r : null;
                } catch (IOException e) {
                    return null;
                }
            });
            assertThat(paired.endpointId()).isEqualTo(reflector.endpointId());

            assertThat(pair.awaitExit(PLUGIN)).as(pair.transcript()).isZero();
            assertThat(pair.stdout())
                    .as(pair.transcript())
                    .contains("Appliance Endpoint ID:  " + appliance.id())
                    .contains("AuthorizedPeer:         field-unit");
        }
        AuthorizedPeer peer = admin.resources(AuthorizedPeer.class)
                .inNamespace(ns)
                .withName("field-unit")
                .get();
        assertThat(peer.getSpec().endpointId).isEqualTo(appliance.id().toString());
        assertThat(peer.getSpec().displayName).isEqualTo("Pi in the lab");
        Await.until(Duration.ofSeconds(30), "the paired appliance let in", () -> appliance.accepted(reflector));
    }

    @Test
    @Order(2)
    void statusShowsTheInstanceAndThePairedPeerInEffect() throws Exception {
        Await.until(Duration.ofSeconds(30), "field-unit in effect", () -> {
            AuthorizedPeer p = admin.resources(AuthorizedPeer.class)
                    .inNamespace(ns)
                    .withName("field-unit")
                    .get();
            return p.getStatus() != null
                    && p.getStatus().reflectors != null
                    && p.getStatus().reflectors.contains(INSTANCE);
        });
        try (PluginProcess status = PluginProcess.start(cluster.kubeconfigPath(), work, "status", INSTANCE, "-n", ns)) {
            assertThat(status.awaitExit(PLUGIN)).as(status.transcript()).isZero();
            assertThat(status.stdout())
                    .as(status.transcript())
                    .contains("ReflectorInstance " + ns + "/" + INSTANCE)
                    .contains("Phase:         Ready")
                    .contains("Endpoint ID:   " + reflector.endpointId())
                    .contains("Authorized peers (1 in effect):")
                    .containsPattern(
                            "field-unit +" + Pattern.quote(appliance.id().toString()) + " +yes");
        }
    }

    @Test
    @Order(3)
    void rotateFollowsTheNewIdentityUntilThePodServesIt() throws Exception {
        String oldId = reflector.endpointId();
        try (PluginProcess rotate =
                PluginProcess.start(cluster.kubeconfigPath(), work, "rotate", INSTANCE, "-n", ns, "--timeout", "2m")) {
            String newId = rotate.awaitLine(Pattern.compile("New identity issued: (\\S+);"), PLUGIN)
                    .group(1);
            assertThat(newId).isNotEqualTo(oldId);
            // The pod exits when its identity Secret holds another identity; the test, as the
            // kubelet, starts it again.
            reflector.exited().get(60, TimeUnit.SECONDS);
            reflector = reflector.restart();
            assertThat(reflector.endpointId()).isEqualTo(newId);

            assertThat(rotate.awaitExit(PLUGIN)).as(rotate.transcript()).isZero();
            Matcher old = rotate.awaitLine(Pattern.compile("Old Endpoint ID:\\s+(\\S+)"), Duration.ofSeconds(1));
            Matcher now = rotate.awaitLine(Pattern.compile("New Endpoint ID:\\s+(\\S+)"), Duration.ofSeconds(1));
            assertThat(old.group(1)).isEqualTo(oldId);
            assertThat(now.group(1)).isEqualTo(newId);
        }
        assertThat(instance().getStatus().previousEndpointIds).contains(oldId);
    }

    @Test
    @Order(4)
    void ctrlCLeavesTheWindowOpenAndSaysHowToCloseItOrClosesItWhenAsked() throws Exception {
        try (PluginProcess pair = PluginProcess.start(
                cluster.kubeconfigPath(), work, "pair", INSTANCE, "-n", ns, "--name", "left-open")) {
            pair.awaitLine(Pattern.compile("Pairing code:"), PLUGIN);
            pair.interrupt();
            assertThat(pair.awaitExit(PLUGIN)).as(pair.transcript()).isEqualTo(130);
            assertThat(pair.stderr())
                    .as(pair.transcript())
                    .containsPattern("Interrupted: pairingwindow left-open stays open until \\S+\\. "
                            + "Close it with: kubectl delete pairingwindow left-open -n " + ns);
        }
        PairingWindow open = admin.resources(PairingWindow.class)
                .inNamespace(ns)
                .withName("left-open")
                .get();
        assertThat(open.getStatus().phase).isEqualTo(PairingWindowStatus.Phase.Open);

        try (PluginProcess pair = PluginProcess.start(
                cluster.kubeconfigPath(),
                work,
                "pair",
                INSTANCE,
                "-n",
                ns,
                "--name",
                "closed-on-exit",
                "--close-on-exit")) {
            pair.awaitLine(Pattern.compile("Pairing code:"), PLUGIN);
            pair.interrupt();
            assertThat(pair.awaitExit(PLUGIN)).as(pair.transcript()).isEqualTo(130);
            assertThat(pair.stderr())
                    .as(pair.transcript())
                    .contains("Interrupted: deleted pairingwindow closed-on-exit in namespace " + ns
                            + " (--close-on-exit).");
            assertThat(pair.stdout())
                    .as("the deletion is the hook's, not reported as a failure")
                    .doesNotContain("was deleted");
        }
        Await.until(
                Duration.ofSeconds(30),
                "closed-on-exit gone",
                () -> admin.resources(PairingWindow.class)
                                .inNamespace(ns)
                                .withName("closed-on-exit")
                                .get()
                        == null);
    }

    private ReflectorInstance instance() {
        return admin.resources(ReflectorInstance.class)
                .inNamespace(ns)
                .withName(INSTANCE)
                .get();
    }

    private static boolean ready(ReflectorInstance ri) {
        List<Condition> conditions = ri.getStatus() == null ? null : ri.getStatus().conditions;
        return conditions != null
                && conditions.stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }
}
