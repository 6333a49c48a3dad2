package io.packetparamedic.e2e.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.packetparamedic.api.config.ConfigLoader;
import io.packetparamedic.api.config.ReflectorConfig;
import io.packetparamedic.api.crd.Labels;
import io.packetparamedic.api.crd.ObjectRef;
import io.packetparamedic.api.crd.PairingWindow;
import io.packetparamedic.api.crd.PairingWindowSpec;
import io.packetparamedic.api.crd.PairingWindowStatus;
import io.packetparamedic.api.crd.Placement;
import io.packetparamedic.api.crd.ReflectorInstance;
import io.packetparamedic.api.crd.ReflectorInstanceSpec;
import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.api.identity.EndpointId;
import io.packetparamedic.api.pairing.PairingCodes;
import io.packetparamedic.api.time.Rfc3339;
import io.packetparamedic.e2e.harness.KubeCluster;
import io.packetparamedic.e2e.harness.KubeTestCluster;
import io.packetparamedic.e2e.harness.TestNamespace;
import io.packetparamedic.reflector.auth.Authorizer;
import io.packetparamedic.reflector.client.LinkClient;
import io.packetparamedic.reflector.kube.InstanceRef;
import io.packetparamedic.reflector.kube.KubeSettings;
import io.packetparamedic.reflector.kube.KubernetesServe;
import io.packetparamedic.reflector.wire.Payload;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two nodes of a PerNode fleet, each a Kubernetes-mode reflector started in this JVM with its own
 * identity Secret, the fleet's one config Secret (carrying the windows' codes) and the rights the
 * operator's Role gives the fleet's ServiceAccount — so the claim works with the pod's RBAC, no
 * more. No operator runs: the test plays it, opening the windows and rendering the config.
 */
@KubeCluster
class FleetPairingClaimE2ETest {

    static final String INSTANCE = "fleet";
    static final String SERVICE_ACCOUNT = "fleet-reflector";

    private final List<KubernetesServe.Running> nodes = new ArrayList<>();

    @AfterEach
    void stop() {
        nodes.forEach(KubernetesServe.Running::close);
    }

    @Test
    void aCodeIsAcceptedOnceAcrossTheFleetAndNotWithoutTheApi(KubeTestCluster cluster, TestNamespace ns)
            throws Exception {
        KubernetesClient admin = cluster.client();
        String n = ns.name();
        List<String> races = List.of("race-0", "race-1", "race-2", "race-3", "race-4");
        List<String> windows = new ArrayList<>(races);
        windows.addAll(List.of("again", "outage"));
        Map<String, String> codes = new HashMap<>();
        windows.forEach(w -> codes.put(w, PairingCodes.generate()));
        Instant expires = Instant.now().plusSeconds(600);

        ReflectorInstance fleet = new ReflectorInstance();
        fleet.getMetadata().setName(INSTANCE);
        fleet.setSpec(new ReflectorInstanceSpec());
        fleet.getSpec().placement = new Placement(Placement.Mode.PerNode);
        admin.resources(ReflectorInstance.class).inNamespace(n).resource(fleet).create();
        for (String w : windows) openWindow(admin, n, w, expires);
        ReflectorConfig config = new ReflectorConfig();
        windows.forEach(w -> config.access.pairingCodes.add(
                new ReflectorConfig.PairingCode(codes.get(w), Rfc3339.format(expires), n + "/" + w)));
        config.access.pairingEnabled = true;
        secret(
                admin,
                n,
                INSTANCE + "-config",
                Labels.CONFIG_KEY,
                ConfigLoader.render(config).getBytes());
        grantPodRights(admin, n, windows);

        KubernetesServe.Running a = startNode(cluster, n, "node-a");
        KubernetesServe.Running b = startNode(cluster, n, "node-b");

        // Two appliances present the same code at the same moment, one on each node; five times.
        for (String race : races) {
            Ed25519Identity x = Ed25519Identity.generate();
            Ed25519Identity y = Ed25519Identity.generate();
            Payload.PairResponse[] answers;
            try (LinkClient onA = connect(a, x);
                    LinkClient onB = connect(b, y)) {
                onA.hello();
                onB.hello();
                CountDownLatch go = new CountDownLatch(1);
                CompletableFuture<Payload.PairResponse> ra = pairAt(go, onA, codes.get(race));
                CompletableFuture<Payload.PairResponse> rb = pairAt(go, onB, codes.get(race));
                go.countDown();
                answers = new Payload.PairResponse[] {ra.get(30, TimeUnit.SECONDS), rb.get(30, TimeUnit.SECONDS)};
            }
            assertThat(List.of(answers[0].success(), answers[1].success()))
                    .as("exactly one of the two pairings with the code of " + race + " succeeds")
                    .containsExactlyInAnyOrder(true, false);
            EndpointId winner = answers[0].success() ? x.endpointId() : y.endpointId();
            Payload.PairResponse lost = answers[0].success() ? answers[1] : answers[0];
            assertThat(lost.message()).isEqualTo(Authorizer.SPENT_ELSEWHERE);
            assertThat(status(admin, n, race).pairedEndpointId)
                    .as(race + " names the winner")
                    .isEqualTo(winner.toString());
        }

        // An appliance that paired on one node may present the code again on another that has not
        // yet heard the window is used: its own claim is found there, and it is accepted.
        Ed25519Identity z = Ed25519Identity.generate();
        try (LinkClient onA = connect(a, z)) {
            assertThat(onA.pair(codes.get("again")).success()).isTrue();
        }
        try (LinkClient onB = connect(b, z)) {
            assertThat(onB.pair(codes.get("again")).success()).isTrue();
        }
        assertThat(status(admin, n, "again").pairedEndpointId)
                .isEqualTo(z.endpointId().toString());

        // Without the API nothing is accepted, and the code stays open for the retry.
        Ed25519Identity v = Ed25519Identity.generate();
        try (LinkClient onA = connect(a, v)) {
            onA.hello();
            cluster.apiServer().stop();
            Payload.PairResponse refused;
            try {
                refused = onA.pair(codes.get("outage"));
            } finally {
                cluster.apiServer().start();
            }
            assertThat(refused.success()).isFalse();
            assertThat(refused.message()).isEqualTo(Authorizer.CLAIM_UNAVAILABLE);
            assertThat(onA.pair(codes.get("outage")).success()).isTrue();
        }
        assertThat(status(admin, n, "outage").pairedEndpointId)
                .isEqualTo(v.endpointId().toString());
    }

    private static CompletableFuture<Payload.PairResponse> pairAt(CountDownLatch go, LinkClient c, String code) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                go.await();
                return c.pair(code);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static LinkClient connect(KubernetesServe.Running node, Ed25519Identity appliance) throws Exception {
        return LinkClient.connect(
                node.reflector().controlAddress(),
                appliance,
                LinkClient.Options.defaults().pinning(node.reflector().endpointId()));
    }

    private KubernetesServe.Running startNode(KubeTestCluster cluster, String namespace, String node) throws Exception {
        KubernetesClient admin = cluster.client();
        secret(
                admin,
                namespace,
                INSTANCE + "-identity-" + node,
                Labels.IDENTITY_KEY,
                Ed25519Identity.generate().seed());
        Path data = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "fleet-" + node + "-");
        Map<String, String> env = Map.of(
                KubeSettings.ENV_IDENTITY_SECRET,
                INSTANCE + "-identity-" + node,
                KubeSettings.ENV_STATUS_SCOPE,
                "node",
                "NODE_NAME",
                node,
                KubeSettings.ENV_LISTEN,
                "127.0.0.1:0",
                KubeSettings.ENV_HEALTH_LISTEN,
                "127.0.0.1:0",
                KubeSettings.ENV_DATA_DIR,
                data.toString());
        KubeSettings settings = KubeSettings.resolve(new InstanceRef(namespace, INSTANCE), env, Optional.empty());
        KubernetesServe.Running running =
                KubernetesServe.start(settings, cluster.clientForServiceAccount(namespace, SERVICE_ACCOUNT), () -> {});
        nodes.add(running);
        return running;
    }

    /** A window as the operator leaves it once open (no operator runs here). */
    private static void openWindow(KubernetesClient admin, String namespace, String name, Instant expires) {
        PairingWindow w = new PairingWindow();
        w.getMetadata().setName(name);
        w.setSpec(new PairingWindowSpec());
        w.getSpec().reflectorRef = new ObjectRef(INSTANCE);
        PairingWindow created = admin.resources(PairingWindow.class)
                .inNamespace(namespace)
                .resource(w)
                .create();
        PairingWindowStatus s = new PairingWindowStatus();
        s.phase = PairingWindowStatus.Phase.Open;
        s.expiresAt = Rfc3339.format(expires);
        s.codeSecret = name + "-code";
        created.setStatus(s);
        admin.resources(PairingWindow.class)
                .inNamespace(namespace)
                .resource(created)
                .updateStatus();
    }

    private static PairingWindowStatus status(KubernetesClient admin, String namespace, String window) {
        return admin.resources(PairingWindow.class)
                .inNamespace(namespace)
                .withName(window)
                .get()
                .getStatus();
    }

    private static void secret(KubernetesClient admin, String namespace, String name, String key, byte[] value) {
        admin.secrets()
                .inNamespace(namespace)
                .resource(new SecretBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .endMetadata()
                        .addToData(key, Base64.getEncoder().encodeToString(value))
                        .build())
                .create();
    }

    /** What the operator's Role (ReflectorRoleDependent) grants a fleet's pods, and nothing else. */
    private static void grantPodRights(KubernetesClient admin, String namespace, List<String> windows) {
        admin.serviceAccounts()
                .inNamespace(namespace)
                .resource(new ServiceAccountBuilder()
                        .withNewMetadata()
                        .withName(SERVICE_ACCOUNT)
                        .endMetadata()
                        .build())
                .create();
        admin.rbac()
                .roles()
                .inNamespace(namespace)
                .resource(new RoleBuilder()
                        .withNewMetadata()
                        .withName(SERVICE_ACCOUNT)
                        .endMetadata()
                        .withRules(
                                new PolicyRuleBuilder()
                                        .withApiGroups("")
                                        .withResources("secrets")
                                        .withResourceNames(
                                                INSTANCE + "-identity-node-a",
                                                INSTANCE + "-identity-node-b",
                                                INSTANCE + "-config")
                                        .withVerbs("get", "list", "watch")
                                        .build(),
                                new PolicyRuleBuilder()
                                        .withApiGroups(Labels.GROUP)
                                        .withResources("authorizedpeers")
                                        .withVerbs("get", "list", "watch")
                                        .build(),
                                new PolicyRuleBuilder()
                                        .withApiGroups(Labels.GROUP)
                                        .withResources("reflectorinstances/status")
                                        .withResourceNames(INSTANCE)
                                        .withVerbs("patch")
                                        .build(),
                                new PolicyRuleBuilder()
                                        .withApiGroups(Labels.GROUP)
                                        .withResources("pairingwindows/status")
                                        .withResourceNames(windows)
                                        .withVerbs("patch")
                                        .build())
                        .build())
                .create();
        admin.rbac()
                .roleBindings()
                .inNamespace(namespace)
                .resource(new RoleBindingBuilder()
                        .withNewMetadata()
                        .withName(SERVICE_ACCOUNT)
                        .endMetadata()
                        .withNewRoleRef("rbac.authorization.k8s.io", "Role", SERVICE_ACCOUNT)
                        .addNewSubject()
                        .withKind("ServiceAccount")
                        .withName(SERVICE_ACCOUNT)
                        .withNamespace(namespace)
                        .endSubject()
                        .build())
                .create();
    }
}
