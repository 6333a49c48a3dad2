package io.packetparamedic.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.packetparamedic.api.crd.AuthorizedPeer;
import io.packetparamedic.api.crd.AuthorizedPeerStatus;
import io.packetparamedic.api.crd.FieldManagers;
import io.packetparamedic.api.crd.ObjectRef;
import io.packetparamedic.api.crd.PairingWindow;
import io.packetparamedic.api.crd.PairingWindowStatus;
import io.packetparamedic.api.crd.PairingWindowStatus.Phase;
import io.packetparamedic.api.crd.ReflectorInstance;
import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.api.identity.EndpointId;
import io.packetparamedic.e2e.harness.Await;
import io.packetparamedic.e2e.harness.KubeCluster;
import io.packetparamedic.e2e.harness.KubeTestCluster;
import io.packetparamedic.e2e.harness.TestNamespace;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, item 3: a reflector pod may write the status of its own instance, of the peers that
 * select it and of its open windows — nothing else. Two instances in one namespace with the
 * operator running; instance A's ServiceAccount token attacks B's objects through the real
 * API server's RBAC, and the operator refuses a pairing report that its instance never offered.
 */
@KubeCluster
class PodStatusScopeOperatorTest {

    static final Duration TIMEOUT = Duration.ofSeconds(60);

    @Test
    void aReflectorPodCannotWriteAnotherInstancesStatusPeersOrWindows(KubeTestCluster cluster, TestNamespace ns)
            throws InterruptedException {
        KubernetesClient admin = cluster.client();
        String n = ns.name();
        try (var operator = new TestOperator(cluster.adminConfig(), n)) {
            ReflectorInstance a = admin.resource(
                            Fixtures.sample(admin, "reflectorinstance.yaml", ReflectorInstance.class, n))
                    .create();
            ReflectorInstanceOperatorTest.awaitConverged(admin, a);
            ReflectorInstance spec = Fixtures.sample(admin, "reflectorinstance.yaml", ReflectorInstance.class, n);
            spec.getMetadata().setName("edge-b");
            spec.getSpec().network.controlPort = 4100;
            spec.getSpec().network.healthPort = 7401;
            spec.getSpec().network.dataPortRange.start = 5301;
            spec.getSpec().network.dataPortRange.end = 5399;
            ReflectorInstance b = admin.resource(spec).create();
            Await.until(
                    TIMEOUT,
                    "edge-b's ServiceAccount and Role",
                    () -> admin.serviceAccounts()
                                            .inNamespace(n)
                                            .withName("edge-b-reflector")
                                            .get()
                                    != null
                            && admin.rbac()
                                            .roles()
                                            .inNamespace(n)
                                            .withName("edge-b-reflector")
                                            .get()
                                    != null);

            var peers = admin.resources(AuthorizedPeer.class).inNamespace(n);
            peers.resource(PeersAndPairingOperatorTest.peer(
                            "peer-a", Ed25519Identity.generate().endpointId().toString()))
                    .create();
            AuthorizedPeer pb = PeersAndPairingOperatorTest.peer(
                    "peer-b", Ed25519Identity.generate().endpointId().toString());
            pb.getSpec().reflectorRef = new ObjectRef("edge-b");
            peers.resource(pb).create();
            var windows = admin.resources(PairingWindow.class).inNamespace(n);
            windows.resource(window(admin, n, "window-a", "edge")).create();
            windows.resource(window(admin, n, "window-b", "edge-b")).create();

            // The pod learns a code from its config; by then its Role already names the window.
            Await.until(
                    TIMEOUT,
                    "window-a's code in edge's config",
                    () -> Fixtures.config(admin, n, "edge-config")
                                    .access
                                    .pairingCodes
                                    .size()
                            == 1);
            Await.until(
                    TIMEOUT,
                    "window-b's code in edge-b's config",
                    () -> Fixtures.config(admin, n, "edge-b-config")
                                    .access
                                    .pairingCodes
                                    .size()
                            == 1);

            KubernetesClient podA = cluster.clientForServiceAccount(n, "edge-reflector");
            EndpointId forged = Ed25519Identity.generate().endpointId();

            // The attack: A's token on B's window, B's peer and B's instance.
            assertRefused("patch", () -> reportPairing(podA, n, "window-b", forged));
            assertRefused("patch", () -> reportPeerSeen(podA, n, "peer-b"));
            assertRefused("patch", () -> Fixtures.reportHeartbeat(podA, b, "PP-FORGED", now()));
            // Nor by a full status update (PUT) of B's window.
            PairingWindow replaced = windows.withName("window-b").get();
            replaced.getStatus().pairedEndpointId = forged.toString();
            assertRefused(
                    "update",
                    () -> podA.resources(PairingWindow.class)
                            .inNamespace(n)
                            .resource(replaced)
                            .updateStatus());

            // No AuthorizedPeer from the forged report: the write never happened, B's window is untouched.
            PairingWindow windowB = windows.withName("window-b").get();
            assertThat(windowB.getStatus().pairedEndpointId).isNull();
            assertThat(windowB.getStatus().phase).isEqualTo(Phase.Open);
            assertThat(peers.list().getItems()).noneMatch(p -> forged.toString().equals(p.getSpec().endpointId));

            // What A's Role names: its instance, its peer, its open window.
            Await.until(
                    TIMEOUT,
                    "peer-a in edge's Role",
                    () -> names(admin, n, "edge-reflector", "authorizedpeers/status")
                            .contains("peer-a"));
            assertThat(names(admin, n, "edge-reflector", "pairingwindows/status"))
                    .containsExactly("window-a");
            assertThat(names(admin, n, "edge-reflector", "authorizedpeers/status"))
                    .containsExactly("peer-a");
            assertThat(names(admin, n, "edge-reflector", "reflectorinstances/status"))
                    .containsExactly("edge");

            // A's own objects still work: heartbeat, its peer, its window (which pairs).
            Fixtures.reportHeartbeat(podA, a, "PP-0000", now());
            reportPeerSeen(podA, n, "peer-a");
            EndpointId appliance = Ed25519Identity.generate().endpointId();
            reportPairing(podA, n, "window-a", appliance);
            Await.until(
                    TIMEOUT,
                    "window-a Consumed",
                    () -> windows.withName("window-a").get().getStatus().phase == Phase.Consumed);
            assertThat(peers.withName("window-a").get().getSpec().endpointId).isEqualTo(appliance.toString());
            assertThat(peers.withName("window-a").get().getSpec().reflectorRef.name)
                    .isEqualTo("edge");

            // A closed window leaves the Role; the peer it created joins it.
            Await.until(
                    TIMEOUT,
                    "edge's Role without window-a, with the paired peer",
                    () -> names(admin, n, "edge-reflector", "pairingwindows/status")
                                    .isEmpty()
                            && names(admin, n, "edge-reflector", "authorizedpeers/status")
                                    .equals(List.of("peer-a", "window-a")));
            assertRefused("patch", () -> reportPairing(podA, n, "window-a", forged));
            reportPeerSeen(podA, n, "window-a");

            // B's pod can still do its own job.
            KubernetesClient podB = cluster.clientForServiceAccount(n, "edge-b-reflector");
            reportPeerSeen(podB, n, "peer-b");
            assertRefused("patch", () -> reportPeerSeen(podB, n, "peer-a"));

            // A new window: as soon as its code is in A's config, A's pod may report it (the Role
            // is applied first; the API server's authorizer catches up within moments).
            windows.resource(window(admin, n, "window-a2", "edge")).create();
            Await.until(
                    TIMEOUT,
                    "window-a2's code in edge's config",
                    () -> Fixtures.config(admin, n, "edge-config")
                                    .access
                                    .pairingCodes
                                    .size()
                            == 1);
            Await.until(Duration.ofSeconds(2), "A's pod may write window-a2's status", () -> {
                reportPairedAtOnly(podA, n, "window-a2");
                return true;
            });
            assertRefused("patch", () -> reportPairedAtOnly(podB, n, "window-a2"));

            // A peer selecting both instances by label: both pods report on it, as both serve it.
            AuthorizedPeer fleet = PeersAndPairingOperatorTest.peer(
                    "fleet", Ed25519Identity.generate().endpointId().toString());
            fleet.getSpec().reflectorRef = null;
            fleet.getSpec().reflectorSelector = new io.fabric8.kubernetes.api.model.LabelSelectorBuilder()
                    .addToMatchLabels("site", "lab")
                    .build();
            peers.resource(fleet).create();
            Await.until(
                    TIMEOUT,
                    "fleet in both Roles",
                    () -> names(admin, n, "edge-reflector", "authorizedpeers/status")
                                    .contains("fleet")
                            && names(admin, n, "edge-b-reflector", "authorizedpeers/status")
                                    .contains("fleet"));
            reportPeerSeen(podA, n, "fleet");
            reportPeerSeen(podB, n, "fleet");
            // Relabel B out of the selection: B's pod loses it.
            // A merge patch, not a read-modify-write: the operator updates edge-b's status (its config changed)
            // meanwhile.
            admin.resources(ReflectorInstance.class)
                    .inNamespace(n)
                    .withName("edge-b")
                    .patch(
                            PatchContext.of(PatchType.JSON_MERGE),
                            "{\"metadata\":{\"labels\":{\"site\":\"elsewhere\"}}}");
            Await.until(
                    TIMEOUT,
                    "fleet gone from edge-b's Role",
                    () -> !names(admin, n, "edge-b-reflector", "authorizedpeers/status")
                            .contains("fleet"));
            Await.until(Duration.ofSeconds(2), "B's pod refused fleet", () -> {
                try {
                    reportPeerSeen(podB, n, "fleet");
                    return false;
                } catch (KubernetesClientException e) {
                    return e.getCode() == 403;
                }
            });
            // A deleted peer leaves the Role (a new one of the same name must be selected again).
            peers.withName("peer-a").delete();
            Await.until(
                    TIMEOUT,
                    "peer-a gone from edge's Role",
                    () -> !names(admin, n, "edge-reflector", "authorizedpeers/status")
                            .contains("peer-a"));
        }
    }

    /** A window status write that does not pair: only pairedAt. */
    static void reportPairedAtOnly(KubernetesClient client, String n, String window) {
        PairingWindow w = new PairingWindow();
        w.getMetadata().setName(window);
        w.getMetadata().setNamespace(n);
        w.setSpec(null);
        w.setStatus(new PairingWindowStatus());
        w.getStatus().pairedAt = now();
        client.resource(w).subresource("status").patch(ssa());
    }

    @Test
    void theOperatorIgnoresAPairingReportForAWindowItsInstanceNeverOffered(KubeTestCluster cluster, TestNamespace ns)
            throws InterruptedException {
        KubernetesClient admin = cluster.client();
        String n = ns.name();
        try (var operator = new TestOperator(cluster.adminConfig(), n)) {
            ReflectorInstance a = admin.resource(
                            Fixtures.sample(admin, "reflectorinstance.yaml", ReflectorInstance.class, n))
                    .create();
            ReflectorInstanceOperatorTest.awaitConverged(admin, a);
            var windows = admin.resources(PairingWindow.class).inNamespace(n);
            // A window for an instance that does not exist: Pending, no reflector has a code for it.
            windows.resource(window(admin, n, "orphan", "nowhere")).create();
            Await.until(TIMEOUT, "orphan Pending", () -> {
                var w = windows.withName("orphan").get();
                return w.getStatus() != null && w.getStatus().phase == Phase.Pending;
            });
            // Whoever can write its status (here the admin, acting as a pod) reports a pairing.
            EndpointId forged = Ed25519Identity.generate().endpointId();
            reportPairing(admin, n, "orphan", forged);
            PairingWindow rejected = Await.until(TIMEOUT, "the report rejected", () -> {
                var w = windows.withName("orphan").get();
                return w.getStatus().message != null && w.getStatus().message.contains("not accepted") ? w : null;
            });
            assertThat(rejected.getStatus().phase).isEqualTo(Phase.Pending);
            assertThat(rejected.getStatus().authorizedPeer).isNull();
            assertThat(rejected.getStatus().message).contains("ReflectorInstance nowhere does not exist");
            assertThat(admin.resources(AuthorizedPeer.class)
                            .inNamespace(n)
                            .list()
                            .getItems())
                    .isEmpty();
            Await.until(
                    TIMEOUT,
                    "a PairingReportRejected event",
                    () -> admin.v1().events().inNamespace(n).list().getItems().stream()
                            .anyMatch(e -> KubeEvents.PAIRING_REPORT_REJECTED.equals(e.getReason())
                                    && "orphan".equals(e.getInvolvedObject().getName())));
        }
    }

    static PairingWindow window(KubernetesClient client, String n, String name, String instance) {
        PairingWindow w = Fixtures.sample(client, "pairingwindow.yaml", PairingWindow.class, n);
        w.getMetadata().setName(name);
        w.getSpec().reflectorRef = new ObjectRef(instance);
        w.getSpec().peerTemplate.name = name;
        return w;
    }

    /** What the pod does on a pairing: server-side apply of the window's (pod) fields, no GET first. */
    static void reportPairing(KubernetesClient client, String n, String window, EndpointId id) {
        PairingWindow w = new PairingWindow();
        w.getMetadata().setName(window);
        w.getMetadata().setNamespace(n);
        w.setSpec(null);
        w.setStatus(new PairingWindowStatus());
        w.getStatus().pairedEndpointId = id.toString();
        w.getStatus().pairedAt = now();
        client.resource(w).subresource("status").patch(ssa());
    }

    /** What the pod does when a peer connects: server-side apply of the peer's (pod) fields, no GET first. */
    static void reportPeerSeen(KubernetesClient client, String n, String peer) {
        AuthorizedPeer p = new AuthorizedPeer();
        p.getMetadata().setName(peer);
        p.getMetadata().setNamespace(n);
        p.setSpec(null);
        p.setStatus(new AuthorizedPeerStatus());
        p.getStatus().lastSeenTime = now();
        p.getStatus().lastAddress = "198.51.100.9";
        p.getStatus().testsLastHour = 0;
        p.getStatus().bytesToday = 0L;
        client.resource(p).subresource("status").patch(ssa());
    }

    /** 403 for exactly this verb on the status subresource: RBAC refused the write itself, not a read before it. */
    static void assertRefused(String verb, Runnable call) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(KubernetesClientException.class, e -> {
            assertThat(e.getCode()).isEqualTo(403);
            assertThat(e.getMessage()).contains("cannot " + verb + " resource").contains("/status");
        });
    }

    static PatchContext ssa() {
        return new PatchContext.Builder()
                .withPatchType(PatchType.SERVER_SIDE_APPLY)
                .withFieldManager(FieldManagers.REFLECTOR)
                .withForce(true)
                .build();
    }

    /** The resourceNames of the Role's rule for {@code resource}; empty when there is no such rule. */
    static List<String> names(KubernetesClient client, String n, String role, String resource) {
        Role r = client.rbac().roles().inNamespace(n).withName(role).get();
        return r.getRules().stream()
                .filter(rule -> rule.getResources().contains(resource))
                .map(PolicyRule::getResourceNames)
                .flatMap(List::stream)
                .sorted()
                .toList();
    }

    static String now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
