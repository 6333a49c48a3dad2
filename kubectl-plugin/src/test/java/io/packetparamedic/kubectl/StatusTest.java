package io.packetparamedic.kubectl;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.packetparamedic.api.crd.AuthorizedPeer;
import io.packetparamedic.api.crd.AuthorizedPeerSpec;
import io.packetparamedic.api.crd.AuthorizedPeerStatus;
import io.packetparamedic.api.crd.Labels;
import io.packetparamedic.api.crd.ObjectRef;
import io.packetparamedic.api.crd.ReflectorInstance;
import io.packetparamedic.api.crd.ReflectorInstanceStatus;
import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.e2e.harness.KubeCluster;
import io.packetparamedic.e2e.harness.KubeTestCluster;
import io.packetparamedic.e2e.harness.TestNamespace;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

@KubeCluster
class StatusTest {

    @Test
    void printsTheInstanceItsPodThePeersInEffectWithUsageAndTheSessions(KubeTestCluster cluster, TestNamespace ns) {
        KubernetesClient client = cluster.client();
        String endpointId = Ed25519Identity.generate().endpointId().toString();
        ReflectorInstance ri = Fixtures.instance(client, ns.name(), "edge", 4100);
        ReflectorInstanceStatus st = new ReflectorInstanceStatus();
        st.phase = ReflectorInstanceStatus.Phase.Ready;
        st.endpointId = endpointId;
        st.reportedEndpointId = endpointId;
        st.address = "192.0.2.10:4100";
        st.node = "node-a";
        st.lastHeartbeat = Instant.now().toString();
        st.activeSessionCount = 1;
        ReflectorInstanceStatus.ActiveSession session = new ReflectorInstanceStatus.ActiveSession();
        session.testId = "t-42";
        session.peer = "PP-PEER";
        session.type = "throughput";
        session.port = 30001;
        session.started = "2026-11-30T12:00:00Z";
        session.expires = "2026-11-30T12:00:30Z";
        st.activeSessions = List.of(session);
        st.conditions = List.of(Fixtures.condition("Ready", true, "HeartbeatFresh", "the reflector reported recently"));
        Fixtures.withStatus(client, ri, st);

        String kitchen = Ed25519Identity.generate().endpointId().toString();
        AuthorizedPeerStatus used = new AuthorizedPeerStatus();
        used.reflectors = List.of("edge");
        used.lastSeenTime = "2026-11-30T11:59:00Z";
        used.testsLastHour = 3;
        used.bytesToday = 3L * 1024 * 1024 * 1024 / 2;
        used.totalSessions = 17L;
        peer(client, ns.name(), "kitchen-pi", kitchen, "edge", used);
        AuthorizedPeerStatus disabled = new AuthorizedPeerStatus();
        disabled.conditions = List.of(Fixtures.condition("Active", false, "Disabled", "spec.disabled is true"));
        peer(
                client,
                ns.name(),
                "old-pi",
                Ed25519Identity.generate().endpointId().toString(),
                "edge",
                disabled);
        peer(
                client,
                ns.name(),
                "elsewhere",
                Ed25519Identity.generate().endpointId().toString(),
                "other",
                null);

        Pod pod = new PodBuilder()
                .withNewMetadata()
                .withNamespace(ns.name())
                .withName("edge-reflector-x1")
                .addToLabels(Labels.NAME, "reflector")
                .addToLabels(Labels.INSTANCE, "edge")
                .endMetadata()
                .withNewSpec()
                .withNodeName("node-a")
                .addNewContainer()
                .withName("reflector")
                .withImage("example.invalid/r:1")
                .endContainer()
                .endSpec()
                .build();
        client.resource(pod).create();

        // -n before the subcommand, as people type kubectl flags.
        Plugin.Result r = Plugin.run(cluster, "-n", ns.name(), "status", "edge");

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out())
                .as(r.toString())
                .contains("ReflectorInstance " + ns.name() + "/edge")
                .contains("Phase:         Ready")
                .contains("Endpoint ID:   " + endpointId)
                .contains("Address:       192.0.2.10:4100")
                .contains("Ports:         control 4100/tcp, health 7301/tcp, data 30000-30049 (tunneled, host network)")
                .contains("Node:          node-a")
                .containsPattern("Ready +True +HeartbeatFresh +the reflector reported recently")
                .containsPattern("edge-reflector-x1 +Pending +0/1 +node-a +0")
                .contains("Authorized peers (1 in effect):")
                .containsPattern(
                        "kitchen-pi +" + kitchen + " +yes +2026-11-30T11:59:00Z \\(.* ago\\) +3 +1\\.5 GiB +17")
                .containsPattern("old-pi +PP-\\S+ +no: Disabled")
                .doesNotContain("elsewhere")
                .contains("Active sessions (1):")
                .containsPattern("t-42 +PP-PEER +throughput +30001 +2026-11-30T12:00:00Z +2026-11-30T12:00:30Z");
    }

    @Test
    void aMissingInstanceIsOneErrorLine(KubeTestCluster cluster, TestNamespace ns) {
        Plugin.Result r = Plugin.run(cluster, "status", "nope", "-n", ns.name());
        assertThat(r.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(r.err())
                .isEqualTo("error: reflectorinstance \"nope\" not found in namespace " + ns.name()
                        + " (kubectl get reflectors -A lists them)\n");
    }

    private static void peer(
            KubernetesClient client,
            String ns,
            String name,
            String endpointId,
            String reflector,
            AuthorizedPeerStatus status) {
        AuthorizedPeer p = new AuthorizedPeer();
        p.setMetadata(new ObjectMetaBuilder().withNamespace(ns).withName(name).build());
        p.setSpec(new AuthorizedPeerSpec());
        p.getSpec().endpointId = endpointId;
        p.getSpec().reflectorRef = new ObjectRef(reflector);
        AuthorizedPeer created = client.resource(p).create();
        if (status != null) {
            created.setStatus(status);
            client.resource(created).updateStatus();
        }
    }
}
