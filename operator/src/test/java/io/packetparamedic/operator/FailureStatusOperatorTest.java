package io.packetparamedic.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.packetparamedic.api.crd.AuthorizedPeer;
import io.packetparamedic.api.crd.PairingWindow;
import io.packetparamedic.api.crd.PairingWindowStatus.Phase;
import io.packetparamedic.api.crd.ReflectorInstance;
import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.e2e.harness.Await;
import io.packetparamedic.e2e.harness.KubeCluster;
import io.packetparamedic.e2e.harness.KubeTestCluster;
import io.packetparamedic.e2e.harness.TestNamespace;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A reconcile that fails leaves Ready=False with a reason and a one-line message, one Warning
 * Event, and a retry; the other resources keep being served. The failures are real answers of
 * the harness's API server: an object name its labels cannot carry (422) and a
 * ValidatingAdmissionPolicy that refuses one Secret and one status write (403).
 */
@KubeCluster
class FailureStatusOperatorTest {

    static final Duration TIMEOUT = Duration.ofSeconds(60);

    @Test
    void failuresShowAsReadyFalseWithAReasonAndAnEventWhileOthersAreServed(KubeTestCluster cluster, TestNamespace ns)
            throws InterruptedException {
        KubernetesClient client = cluster.client();
        String n = ns.name();
        List<HasMetadata> policy = Fixtures.applyRefusingPolicy(
                client,
                n,
                "object.metadata.name != 'blocked-code' && object.metadata.name != 'blocked-peer'",
                "blocked-code",
                TIMEOUT);
        try (var operator = new TestOperator(cluster.adminConfig(), n)) {
            // 1. An instance whose name no label can carry: the API server refuses its Secret (422).
            ReflectorInstance longName = Fixtures.sample(client, "reflectorinstance.yaml", ReflectorInstance.class, n);
            longName.getMetadata().setName("edge-" + "x".repeat(60));
            client.resource(longName).create();
            // 2. A window whose code Secret the policy refuses (403).
            var windows = client.resources(PairingWindow.class).inNamespace(n);
            PairingWindow blocked = Fixtures.sample(client, "pairingwindow.yaml", PairingWindow.class, n);
            blocked.getMetadata().setName("blocked");
            windows.resource(blocked).create();
            // 3. A peer whose status the policy refuses (403): no status can say so, the Event does.
            var peers = client.resources(AuthorizedPeer.class).inNamespace(n);
            peers.resource(PeersAndPairingOperatorTest.peer(
                            "blocked-peer",
                            Ed25519Identity.generate().endpointId().toString()))
                    .create();

            // Meanwhile, everything else is served.
            ReflectorInstance edge = client.resource(
                            Fixtures.sample(client, "reflectorinstance.yaml", ReflectorInstance.class, n))
                    .create();
            ReflectorInstanceOperatorTest.awaitConverged(client, edge);
            PairingWindow fine = Fixtures.sample(client, "pairingwindow.yaml", PairingWindow.class, n);
            fine.getMetadata().setName("fine");
            windows.resource(fine).create();
            Await.until(TIMEOUT, "window fine Open", () -> {
                var w = windows.withName("fine").get();
                return w.getStatus() != null && w.getStatus().phase == Phase.Open;
            });
            peers.resource(PeersAndPairingOperatorTest.peer(
                            "kitchen", Ed25519Identity.generate().endpointId().toString()))
                    .create();
            Await.until(TIMEOUT, "kitchen Active", () -> {
                var p = peers.withName("kitchen").get();
                return p.getStatus() != null && Conditions.isTrue(p.getStatus().conditions, "Active");
            });

            Condition invalid = awaitReadyFalse(
                    "long-named instance",
                    () -> client.resources(ReflectorInstance.class)
                            .inNamespace(n)
                            .withName(longName.getMetadata().getName())
                            .get()
                            .getStatus(),
                    s -> s.conditions);
            assertThat(invalid.getReason()).isEqualTo(ReconcileFailure.INVALID_SPEC);
            assertThat(invalid.getMessage())
                    .contains("metadata.labels: Invalid value", "must be no more than 63")
                    .doesNotContain("\n", "\tat ");
            awaitWarning(client, n, longName.getMetadata().getName(), ReconcileFailure.INVALID_SPEC);

            Condition forbidden = awaitReadyFalse(
                    "window blocked", () -> windows.withName("blocked").get().getStatus(), s -> s.conditions);
            assertThat(forbidden.getReason()).isEqualTo(ReconcileFailure.FORBIDDEN);
            assertThat(forbidden.getMessage())
                    .contains("blocked-code", "test policy refuses")
                    .doesNotContain("\n");
            awaitWarning(client, n, "blocked", ReconcileFailure.FORBIDDEN);
            assertThat(client.secrets().inNamespace(n).withName("blocked-code").get())
                    .isNull();

            Event peerEvent = awaitWarning(client, n, "blocked-peer", ReconcileFailure.FORBIDDEN);
            assertThat(peerEvent.getMessage()).contains("test policy refuses");

            // A failure keeps being retried; repeats of the same failure add no Events.
            Await.until(
                    TIMEOUT,
                    "the blocked window retried",
                    () -> operator.failures(windows.withName("blocked").get()) >= 3);
            assertThat(warnings(client, n, "blocked", ReconcileFailure.FORBIDDEN))
                    .hasSize(1);

            // The cause removed, the next attempt heals the window without an operator restart.
            policy.forEach(p -> client.resource(p).delete());
            windows.withName("blocked").edit(w -> {
                w.getMetadata().setLabels(java.util.Map.of("retry", "now"));
                return w;
            });
            PairingWindow healed = Await.until(TIMEOUT, "window blocked Open", () -> {
                var w = windows.withName("blocked").get();
                return w.getStatus().phase == Phase.Open
                                && !ReconcileFailure.FORBIDDEN.equals(Conditions.find(w.getStatus().conditions, "Ready")
                                        .map(Condition::getReason)
                                        .orElse(null))
                        ? w
                        : null;
            });
            assertThat(client.secrets()
                            .inNamespace(n)
                            .withName(healed.getStatus().codeSecret)
                            .get())
                    .isNotNull();
        } finally {
            policy.forEach(p -> client.resource(p).delete());
        }
    }

    private static <S> Condition awaitReadyFalse(
            String what,
            java.util.function.Supplier<S> status,
            java.util.function.Function<S, List<Condition>> conditions)
            throws InterruptedException {
        return Await.until(TIMEOUT, what + " Ready=False", () -> {
            S s = status.get();
            return s == null
                    ? null
                    : Conditions.find(conditions.apply(s), "Ready")
                            .filter(c -> "False".equals(c.getStatus())
                                    && c.getReason() != null
                                    && c.getReason().equals(c.getReason().strip())
                                    && isFailureReason(c.getReason()))
                            .orElse(null);
        });
    }

    private static boolean isFailureReason(String reason) {
        return List.of(
                        ReconcileFailure.INVALID_SPEC,
                        ReconcileFailure.FORBIDDEN,
                        ReconcileFailure.NOT_FOUND,
                        ReconcileFailure.CONFLICT,
                        ReconcileFailure.API_ERROR,
                        ReconcileFailure.RECONCILE_ERROR)
                .contains(reason);
    }

    private static Event awaitWarning(KubernetesClient client, String n, String object, String reason)
            throws InterruptedException {
        return Await.until(
                TIMEOUT,
                "a " + reason + " Warning on " + object,
                () -> warnings(client, n, object, reason).stream().findFirst().orElse(null));
    }

    private static List<Event> warnings(KubernetesClient client, String n, String object, String reason) {
        return client.v1().events().inNamespace(n).list().getItems().stream()
                .filter(e -> "Warning".equals(e.getType())
                        && reason.equals(e.getReason())
                        && object.equals(e.getInvolvedObject().getName()))
                .toList();
    }
}
