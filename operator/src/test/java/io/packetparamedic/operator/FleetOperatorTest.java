package io.packetparamedic.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.packetparamedic.api.crd.AuthorizedPeer;
import io.packetparamedic.api.crd.AuthorizedPeerSpec;
import io.packetparamedic.api.crd.FieldManagers;
import io.packetparamedic.api.crd.Labels;
import io.packetparamedic.api.crd.NodeReport;
import io.packetparamedic.api.crd.NodeStatus;
import io.packetparamedic.api.crd.Placement;
import io.packetparamedic.api.crd.ReflectorInstance;
import io.packetparamedic.api.crd.ReflectorInstanceSpec;
import io.packetparamedic.api.crd.ReflectorInstanceStatus;
import io.packetparamedic.api.crd.SecretKeyRef;
import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.api.identity.EndpointId;
import io.packetparamedic.e2e.harness.Await;
import io.packetparamedic.e2e.harness.KubeCluster;
import io.packetparamedic.e2e.harness.KubeTestCluster;
import io.packetparamedic.e2e.harness.TestNamespace;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * PerNode placement on the real API server with Node objects made by the test (no kubelet: the
 * pods stay Pending, and the test reports into status.nodeReports as each node's reflector
 * would, under that node's own field manager). The nodes carry a label unique to the test, so
 * other tests' nodes never match; the test deletes its nodes at the end.
 */
@KubeCluster
class FleetOperatorTest {

    static final Duration TIMEOUT = Duration.ofSeconds(60);
    static final String FLEET_LABEL = "test.packetparamedic.io/fleet";

    private final List<String> nodes = new ArrayList<>();
    /** Short and unique to the test: node names and the label value that makes them match. */
    private final String prefix = "f" + java.util.UUID.randomUUID().toString().substring(0, 6);

    private KubernetesClient client;

    @AfterEach
    void cleanUp() {
        System.clearProperty(OperatorSettings.NODE_GRACE_PERIOD_PROPERTY);
        if (client != null) nodes.forEach(n -> client.nodes().withName(n).delete());
    }

    private String node(String suffix, Map<String, String> labels, String ip) {
        String name = prefix + "-" + suffix;
        Node node = Nodes.node(name, labels, true, ip);
        // Heartbeat now: the node lifecycle controller counts its grace from here.
        node.getStatus()
                .getConditions()
                .get(0)
                .setLastHeartbeatTime(Instant.now().toString());
        client.nodes().resource(node).create();
        nodes.add(name);
        return name;
    }

    static ReflectorInstance fleet(String namespace, Map<String, String> selector, Integer maxNodes) {
        ReflectorInstance i = new ReflectorInstance();
        i.getMetadata().setName("fleet");
        i.getMetadata().setNamespace(namespace);
        i.setSpec(new ReflectorInstanceSpec());
        i.getSpec().placement = new Placement(Placement.Mode.PerNode);
        i.getSpec().placement.nodeSelector = selector;
        i.getSpec().placement.maxNodes = maxNodes;
        return i;
    }

    /** What the reflector on {@code node} does: applies only its own nodeReports entry, under its own manager. */
    static void report(
            KubernetesClient client,
            String namespace,
            String node,
            String endpointId,
            Instant heartbeat,
            int sessions) {
        report(client, namespace, node, endpointId, heartbeat, sessions, null);
    }

    static void report(
            KubernetesClient client,
            String namespace,
            String node,
            String endpointId,
            Instant heartbeat,
            int sessions,
            String appliedConfigHash) {
        ReflectorInstance patch = new ReflectorInstance();
        patch.getMetadata().setName("fleet");
        patch.getMetadata().setNamespace(namespace);
        NodeReport r = new NodeReport();
        r.lastHeartbeat = heartbeat.toString();
        r.reportedEndpointId = endpointId;
        r.activeSessionCount = sessions;
        r.appliedConfigHash = appliedConfigHash;
        ReflectorInstanceStatus s = new ReflectorInstanceStatus();
        s.nodeReports = Map.of(node, r);
        patch.setStatus(s);
        client.resource(patch)
                .subresource("status")
                .patch(new PatchContext.Builder()
                        .withPatchType(PatchType.SERVER_SIDE_APPLY)
                        .withFieldManager(FieldManagers.reflectorOnNode(node))
                        .withForce(true)
                        .build());
    }

    /** The fleet config's members, each as "endpointId address ready". */
    static List<String> members(KubernetesClient client, String namespace) {
        return Fixtures.config(client, namespace, "fleet-config").fleetMembers().stream()
                .map(m -> m.endpointId + " " + m.address + " " + m.ready)
                .toList();
    }

    static Optional<NodeStatus> entry(ReflectorInstance r, String node) {
        if (r == null || r.getStatus() == null || r.getStatus().nodes == null) return Optional.empty();
        return r.getStatus().nodes.stream().filter(n -> node.equals(n.node)).findFirst();
    }

    static String env(Deployment d, String name) {
        return d.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
                .filter(e -> name.equals(e.getName()))
                .map(EnvVar::getValue)
                .findFirst()
                .orElse(null);
    }

    @Test
    void oneReflectorWithItsOwnIdentityOnEachMatchingNodeUpToMaxNodesReadyCountedPerNode(
            KubeTestCluster cluster, TestNamespace ns) throws InterruptedException {
        client = cluster.client();
        String n = ns.name();
        Map<String, String> edge = Map.of(FLEET_LABEL, prefix);
        String a = node("a", edge, "192.0.2.11");
        String b = node("b", edge, "192.0.2.12");
        String c = node("c", edge, "192.0.2.13");
        node("other", Map.of(FLEET_LABEL, prefix + "-not"), "192.0.2.14");
        try (var operator = new TestOperator(cluster.adminConfig(), n)) {
            client.resource(fleet(n, edge, 2)).create();
            var instances = client.resources(ReflectorInstance.class).inNamespace(n);

            ReflectorInstance placed = Await.until(TIMEOUT, "two nodes with identities in status", () -> {
                var r = instances.withName("fleet").get();
                boolean done = r.getStatus() != null
                        && r.getStatus().nodes != null
                        && r.getStatus().nodes.size() == 2
                        && r.getStatus().nodes.stream().allMatch(e -> e.endpointId != null)
                        && "0/2".equals(r.getStatus().ready)
                        && "AwaitingHeartbeat".equals(ReflectorInstanceOperatorTest.reason(r, "Ready"));
                return done ? r : null;
            });
            assertThat(placed.getStatus().nodes).extracting(e -> e.node).containsExactly(a, b);
            assertThat(entry(placed, a).orElseThrow().address).isEqualTo("192.0.2.11:4000");
            assertThat(placed.getStatus().endpointId)
                    .as("a fleet has per-node IDs only")
                    .isNull();

            // Each node its own Deployment (pinned to it) and identity Secret; none for c (maxNodes) or other.
            var deployments = client.apps().deployments().inNamespace(n);
            List<String> ids = new ArrayList<>();
            for (String node : List.of(a, b)) {
                Deployment d = deployments.withName("fleet-reflector-" + node).get();
                assertThat(d).as("Deployment of " + node).isNotNull();
                assertThat(d.getSpec()
                                .getTemplate()
                                .getSpec()
                                .getAffinity()
                                .getNodeAffinity()
                                .getRequiredDuringSchedulingIgnoredDuringExecution()
                                .getNodeSelectorTerms()
                                .get(0)
                                .getMatchFields()
                                .get(0)
                                .getValues())
                        .containsExactly(node);
                assertThat(env(d, "REFLECTOR_IDENTITY_SECRET")).isEqualTo("fleet-identity-" + node);
                assertThat(env(d, "REFLECTOR_CONFIG_SECRET"))
                        .as("one config for the fleet")
                        .isEqualTo("fleet-config");
                assertThat(env(d, "REFLECTOR_STATUS_SCOPE")).isEqualTo("node");
                Secret identity = client.secrets()
                        .inNamespace(n)
                        .withName("fleet-identity-" + node)
                        .get();
                String id = Ed25519Identity.fromSeed(Fixtures.data(identity, Labels.IDENTITY_KEY))
                        .endpointId()
                        .toString();
                assertThat(identity.getMetadata().getAnnotations()).containsEntry(Labels.ENDPOINT_ID_ANNOTATION, id);
                assertThat(entry(placed, node).orElseThrow().endpointId).isEqualTo(id);
                ids.add(id);
            }
            assertThat(ids.get(0)).isNotEqualTo(ids.get(1));
            assertThat(deployments.withName("fleet-reflector-" + c).get()).isNull();
            assertThat(deployments.withName("fleet-reflector").get())
                    .as("no single Deployment")
                    .isNull();
            assertThat(client.secrets()
                            .inNamespace(n)
                            .withName("fleet-identity")
                            .get())
                    .as("no instance identity for a new fleet")
                    .isNull();
            Role role = client.rbac()
                    .roles()
                    .inNamespace(n)
                    .withName("fleet-reflector")
                    .get();
            assertThat(role.getRules().get(0).getResourceNames())
                    .as("the shared Role: what every node's pod needs, no identity")
                    .containsExactly("fleet-config");
            // Each node's pod runs as its own ServiceAccount, which may read its own identity only.
            for (String node : List.of(a, b)) {
                String other = node.equals(a) ? b : a;
                String sa = "fleet-reflector-" + node;
                assertThat(deployments
                                .withName("fleet-reflector-" + node)
                                .get()
                                .getSpec()
                                .getTemplate()
                                .getSpec()
                                .getServiceAccountName())
                        .isEqualTo(sa);
                Await.until(
                        TIMEOUT,
                        node + "'s pod may read its own identity",
                        () -> mayGet(n, sa, "secrets", "fleet-identity-" + node));
                assertThat(mayGet(n, sa, "secrets", "fleet-config")).isTrue();
                assertThat(mayGet(n, sa, "secrets", "fleet-identity-" + other))
                        .as(node + "'s pod reading " + other + "'s private key")
                        .isFalse();
            }

            // a reports fresh, b last reported five minutes ago: 1/2, and the condition names b.
            report(client, n, a, ids.get(0), Instant.now(), 0);
            report(client, n, b, ids.get(1), Instant.now().minusSeconds(300), 0);
            ReflectorInstance half = Await.until(TIMEOUT, "READY 1/2 with b stale", () -> {
                var r = instances.withName("fleet").get();
                return "1/2".equals(r.getStatus().ready)
                                && entry(r, b)
                                        .map(e -> "HeartbeatStale".equals(e.reason))
                                        .orElse(false)
                        ? r
                        : null;
            });
            assertThat(half.getStatus().nodeReports)
                    .as("each node's report survives the other's apply")
                    .containsOnlyKeys(a, b);
            assertThat(entry(half, a).orElseThrow().ready).isTrue();
            assertThat(entry(half, b).orElseThrow().ready).isFalse();
            assertThat(entry(half, b).orElseThrow().reason).isEqualTo("HeartbeatStale");
            assertThat(ReflectorInstanceOperatorTest.reason(half, "Ready")).isEqualTo("HeartbeatStale");
            assertThat(Conditions.find(half.getStatus().conditions, "Degraded")
                            .orElseThrow()
                            .getMessage())
                    .contains(b + ": last heartbeat");
            assertThat(half.getStatus().phase).isEqualTo(ReflectorInstanceStatus.Phase.Degraded);

            // Discovery: the shared config lists both nodes as the status has them, b not ready.
            Await.until(
                    TIMEOUT,
                    "the fleet's members in its config, b not ready",
                    () -> members(client, n)
                            .equals(List.of(
                                    ids.get(0) + " 192.0.2.11:4000 true", ids.get(1) + " 192.0.2.12:4000 false")));

            report(client, n, b, ids.get(1), Instant.now(), 0);
            Await.until(TIMEOUT, "READY 2/2", () -> {
                var r = instances.withName("fleet").get();
                return "2/2".equals(r.getStatus().ready) && r.getStatus().phase == ReflectorInstanceStatus.Phase.Ready
                        ? r
                        : null;
            });
            Await.until(
                    TIMEOUT,
                    "b ready in the fleet's config",
                    () -> members(client, n)
                            .equals(List.of(
                                    ids.get(0) + " 192.0.2.11:4000 true", ids.get(1) + " 192.0.2.12:4000 true")));
            // Load stays out of the config: a node's session count changing rewrites nothing.
            String configVersion = client.secrets()
                    .inNamespace(n)
                    .withName("fleet-config")
                    .get()
                    .getMetadata()
                    .getResourceVersion();
            report(client, n, a, ids.get(0), Instant.now(), 3);
            ReflectorInstance busy = Await.until(TIMEOUT, "a's three sessions in status.nodeReports", () -> {
                var r = instances.withName("fleet").get();
                var reports = r.getStatus() == null ? null : r.getStatus().nodeReports;
                return reports != null
                                && reports.get(a) != null
                                && Integer.valueOf(3).equals(reports.get(a).activeSessionCount)
                        ? r
                        : null;
            });
            int settled = operator.reconciliations(busy);
            report(client, n, a, ids.get(0), Instant.now(), 3);
            Await.until(
                    TIMEOUT, "a reconcile after the status settled", () -> operator.reconciliations(busy) > settled);
            assertThat(client.secrets()
                            .inNamespace(n)
                            .withName("fleet-config")
                            .get()
                            .getMetadata()
                            .getResourceVersion())
                    .as("config Secret not rewritten for a session count")
                    .isEqualTo(configVersion);

            // Fleet-wide authorization: a peer selecting the instance is in the one config every node reads.
            EndpointId peer = Ed25519Identity.generate().endpointId();
            AuthorizedPeer p = new AuthorizedPeer();
            p.getMetadata().setName("kitchen");
            p.setSpec(new AuthorizedPeerSpec());
            p.getSpec().endpointId = peer.toString();
            p.getSpec().reflectorSelector = new LabelSelectorBuilder()
                    .withMatchLabels(Map.of("fleet", "eu"))
                    .build();
            client.resources(AuthorizedPeer.class).inNamespace(n).resource(p).create();
            // A merge patch, not an edit: the nodes' reports keep changing the instance's resourceVersion.
            instances
                    .withName("fleet")
                    .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"labels\":{\"fleet\":\"eu\"}}}");
            Await.until(
                    TIMEOUT,
                    "kitchen in the fleet's config",
                    () -> Fixtures.config(client, n, "fleet-config").access.peers.stream()
                            .anyMatch(x -> peer.toString().equals(x.endpointId)));
            // Ready once every node serves that config.
            String digest = Fixtures.digestOfConfig(client, n, "fleet-config");
            report(client, n, a, ids.get(0), Instant.now(), 0, digest);
            report(client, n, b, ids.get(1), Instant.now(), 0, digest);
            AuthorizedPeer live = Await.until(TIMEOUT, "kitchen Ready on the fleet", () -> {
                var x = client.resources(AuthorizedPeer.class)
                        .inNamespace(n)
                        .withName("kitchen")
                        .get();
                return x.getStatus() != null && Conditions.isTrue(x.getStatus().conditions, "Ready") ? x : null;
            });
            assertThat(live.getStatus().state).isEqualTo(io.packetparamedic.api.crd.AuthorizedPeerStatus.State.Active);
            assertThat(operator.failures(instances.withName("fleet").get()))
                    .as("reconciles of the fleet that threw")
                    .isZero();
        }
    }

    /** Whether the ServiceAccount may get the object, as the API server's authorizer answers. */
    private boolean mayGet(String namespace, String serviceAccount, String resource, String name) {
        var review = new io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder()
                .withNewSpec()
                .withUser("system:serviceaccount:" + namespace + ":" + serviceAccount)
                .withGroups("system:serviceaccounts", "system:serviceaccounts:" + namespace, "system:authenticated")
                .withNewResourceAttributes()
                .withNamespace(namespace)
                .withVerb("get")
                .withResource(resource)
                .withName(name)
                .endResourceAttributes()
                .endSpec()
                .build();
        return client.authorization()
                .v1()
                .subjectAccessReview()
                .create(review)
                .getStatus()
                .getAllowed();
    }

    /** An object version as a watch saw it: etcd's revision orders writes across kinds. */
    record Seen(String kind, String name, long revision, List<String> readable) {}

    private static <T extends io.fabric8.kubernetes.api.model.HasMetadata> Watch record(
            io.fabric8.kubernetes.client.dsl.Watchable<T> objects, List<Seen> seen) {
        return objects.watch(new Watcher<T>() {
            @Override
            public void eventReceived(Action action, T o) {
                if (action == Action.DELETED) return;
                List<String> readable =
                        o instanceof Role r ? r.getRules().get(0).getResourceNames() : List.of();
                seen.add(new Seen(
                        o.getKind(),
                        o.getMetadata().getName(),
                        Long.parseLong(o.getMetadata().getResourceVersion()),
                        readable));
            }

            @Override
            public void onClose(WatcherException cause) {}
        });
    }

    @Test
    void aNodesDeploymentIsMadeOnlyOnceItsIdentitySecretExistsAndTheRoleLetsItsPodReadIt(
            KubeTestCluster cluster, TestNamespace ns) throws InterruptedException {
        client = cluster.client();
        String n = ns.name();
        Map<String, String> edge = Map.of(FLEET_LABEL, prefix);
        List<Seen> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        String a = node("a", edge, "192.0.2.31");
        try (var secrets = record(client.secrets().inNamespace(n), seen);
                var roles = record(client.rbac().roles().inNamespace(n), seen);
                var deployments = record(client.apps().deployments().inNamespace(n), seen);
                var operator = new TestOperator(cluster.adminConfig(), n)) {
            client.resource(fleet(n, edge, null)).create();
            Await.until(TIMEOUT, "a's Deployment", () -> created(seen, "Deployment", "fleet-reflector-" + a));
            // b joins while the API server refuses its identity Secret: no Deployment for b meanwhile.
            String b = prefix + "-b";
            String refused = "fleet-identity-" + b;
            List<HasMetadata> policy = Fixtures.applyRefusingPolicy(
                    client, n, "object.metadata.name != '" + refused + "'", refused, TIMEOUT);
            try {
                String b2 = node("b", edge, "192.0.2.32");
                Await.until(
                        TIMEOUT,
                        "the refused identity Secret recorded",
                        () -> operator.failures(client.resources(ReflectorInstance.class)
                                        .inNamespace(n)
                                        .withName("fleet")
                                        .get())
                                > 0);
                assertThat(client.apps()
                                .deployments()
                                .inNamespace(n)
                                .withName("fleet-reflector-" + b2)
                                .get())
                        .as("no Deployment for a node without its identity Secret")
                        .isNull();
            } finally {
                policy.forEach(p -> client.resource(p).delete());
            }
            Await.until(TIMEOUT, "joining b's Deployment", () -> created(seen, "Deployment", "fleet-reflector-" + b));

            for (String node : List.of(a, b)) {
                long deployed =
                        created(seen, "Deployment", "fleet-reflector-" + node).revision();
                String identity = "fleet-identity-" + node;
                assertThat(created(seen, "Secret", identity))
                        .as(node + "'s identity Secret exists before its Deployment")
                        .isNotNull()
                        .matches(s -> s.revision() < deployed);
                Seen roleThen = seen.stream()
                        .filter(s -> s.kind().equals("Role")
                                && s.name().equals("fleet-reflector-" + node)
                                && s.revision() < deployed)
                        .max(java.util.Comparator.comparingLong(Seen::revision))
                        .orElse(null);
                assertThat(roleThen)
                        .as("the Role as it was when " + node + "'s Deployment was made")
                        .isNotNull();
                assertThat(roleThen.readable()).contains(identity);
            }
        }
    }

    private static Seen created(List<Seen> seen, String kind, String name) {
        return seen.stream()
                .filter(s -> s.kind().equals(kind) && s.name().equals(name))
                .min(java.util.Comparator.comparingLong(Seen::revision))
                .orElse(null);
    }

    @Test
    void aNodeThatLeavesIsCollectedAfterTheGracePeriodButNotWhileItRunsSessions(
            KubeTestCluster cluster, TestNamespace ns) throws InterruptedException {
        Duration grace = Duration.ofSeconds(3);
        System.setProperty(OperatorSettings.NODE_GRACE_PERIOD_PROPERTY, grace.toSeconds() + "s");
        client = cluster.client();
        String n = ns.name();
        Map<String, String> edge = Map.of(FLEET_LABEL, prefix);
        String a = node("a", edge, "192.0.2.21");
        String b = node("b", edge, "192.0.2.22");
        try (var operator = new TestOperator(cluster.adminConfig(), n)) {
            client.resource(fleet(n, edge, null)).create();
            var instances = client.resources(ReflectorInstance.class).inNamespace(n);
            ReflectorInstance placed = Await.until(TIMEOUT, "both nodes placed", () -> {
                var r = instances.withName("fleet").get();
                return r.getStatus() != null
                                && r.getStatus().nodes != null
                                && r.getStatus().nodes.size() == 2
                                && r.getStatus().nodes.stream().allMatch(e -> e.endpointId != null)
                        ? r
                        : null;
            });
            String bId = entry(placed, b).orElseThrow().endpointId;
            report(client, n, b, bId, Instant.now(), 1);
            var deployments = client.apps().deployments().inNamespace(n);
            Await.until(
                    TIMEOUT,
                    "b's Deployment",
                    () -> deployments.withName("fleet-reflector-" + b).get());

            client.nodes().withName(b).delete();
            ReflectorInstance leaving = Await.until(TIMEOUT, "b leaving", () -> {
                var r = instances.withName("fleet").get();
                return entry(r, b).map(e -> e.leftAt).isPresent() ? r : null;
            });
            assertThat(leaving.getStatus().ready)
                    .as("a leaving node is not counted")
                    .isEqualTo("0/1");
            Instant deadline =
                    Instant.parse(entry(leaving, b).orElseThrow().leftAt).plus(grace);

            // Past the grace period, a reconcile (woken by b's next report) keeps b: it runs a session.
            Await.until(TIMEOUT, "the grace period to pass", () -> Instant.now().isAfter(deadline.plusSeconds(1)));
            int before = operator.reconciliations(leaving);
            report(client, n, b, bId, Instant.now(), 1);
            Await.until(
                    TIMEOUT, "a reconcile after the grace period", () -> operator.reconciliations(leaving) > before);
            assertThat(deployments.withName("fleet-reflector-" + b).get()).isNotNull();
            assertThat(client.secrets()
                            .inNamespace(n)
                            .withName("fleet-identity-" + b)
                            .get())
                    .isNotNull();

            // The session ends: b's Deployment, identity Secret, status entry and report go.
            report(client, n, b, bId, Instant.now(), 0);
            Await.until(TIMEOUT, "b collected", () -> {
                var r = instances.withName("fleet").get();
                boolean gone = deployments.withName("fleet-reflector-" + b).get() == null
                        && client.secrets()
                                        .inNamespace(n)
                                        .withName("fleet-identity-" + b)
                                        .get()
                                == null
                        && client.serviceAccounts()
                                        .inNamespace(n)
                                        .withName("fleet-reflector-" + b)
                                        .get()
                                == null
                        && client.rbac()
                                        .roles()
                                        .inNamespace(n)
                                        .withName("fleet-reflector-" + b)
                                        .get()
                                == null
                        && client.rbac()
                                        .roleBindings()
                                        .inNamespace(n)
                                        .withName("fleet-reflector-" + b)
                                        .get()
                                == null
                        && entry(r, b).isEmpty()
                        && (r.getStatus().nodeReports == null
                                || !r.getStatus().nodeReports.containsKey(b));
                return gone ? r : null;
            });
            assertThat(deployments.withName("fleet-reflector-" + a).get()).isNotNull();
            assertThat(client.secrets()
                            .inNamespace(n)
                            .withName("fleet-identity-" + a)
                            .get())
                    .isNotNull();
            assertThat(mayGet(n, "fleet-reflector-" + a, "secrets", "fleet-identity-" + a))
                    .isTrue();
        }
    }

    @Test
    void theSchemaRefusesPlacementNonsense(KubeTestCluster cluster, TestNamespace ns) {
        client = cluster.client();
        String n = ns.name();
        var instances = client.resources(ReflectorInstance.class).inNamespace(n);

        ReflectorInstance zero = fleet(n, null, 0);
        assertThatThrownBy(() -> instances.resource(zero).create())
                .isInstanceOf(KubernetesClientException.class)
                .hasMessageContaining("maxNodes");

        ReflectorInstance single = fleet(n, Map.of("a", "b"), null);
        single.getSpec().placement.mode = Placement.Mode.Single;
        assertThatThrownBy(() -> instances.resource(single).create())
                .hasMessageContaining("apply only to mode PerNode");

        ReflectorInstance both = fleet(n, null, null);
        both.getSpec().nodeSelector = Map.of("a", "b");
        assertThatThrownBy(() -> instances.resource(both).create()).hasMessageContaining("apply only to Single");

        ReflectorInstance supplied = fleet(n, null, null);
        supplied.getSpec().identity = new ReflectorInstanceSpec.Identity();
        supplied.getSpec().identity.existingSecret = new SecretKeyRef();
        supplied.getSpec().identity.existingSecret.name = "mine";
        assertThatThrownBy(() -> instances.resource(supplied).create())
                .hasMessageContaining("its own generated identity");

        // The default is Single, filled in by the API server.
        ReflectorInstance plain = fleet(n, null, null);
        plain.getMetadata().setName("plain");
        plain.getSpec().placement = new Placement();
        assertThat(instances.resource(plain).create().getSpec().placement.mode).isEqualTo(Placement.Mode.Single);
    }
}
