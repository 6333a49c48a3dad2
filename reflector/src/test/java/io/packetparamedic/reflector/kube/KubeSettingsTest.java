package io.packetparamedic.reflector.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class KubeSettingsTest {

    @Test
    void instanceComesFromTheOptionThenTheEnvironmentAndABareNameTakesThePodNamespace() {
        assertThat(KubeSettings.instance("ns/edge", Map.of())).contains(new InstanceRef("ns", "edge"));
        assertThat(KubeSettings.instance(null, Map.of(KubeSettings.ENV_INSTANCE, "a/b")))
                .contains(new InstanceRef("a", "b"));
        assertThat(KubeSettings.instance("edge", Map.of("POD_NAMESPACE", "pods")))
                .contains(new InstanceRef("pods", "edge"));
        assertThat(KubeSettings.instance(null, Map.of())).isEmpty();
    }

    @Test
    void malformedInstancesAreRefusedWithTheReason() {
        assertThatThrownBy(() -> KubeSettings.instance("edge", Map.of())).hasMessageContaining("needs a namespace");
        assertThatThrownBy(() -> InstanceRef.parse("a/b/c", null)).hasMessageContaining("not <namespace>/<name>");
        assertThatThrownBy(() -> InstanceRef.parse("Bad_NS/edge", null)).hasMessageContaining("invalid namespace");
    }

    @Test
    void namesFollowTheOperatorsConventionUnlessItsEnvironmentSaysOtherwise() {
        KubeSettings d = KubeSettings.resolve(new InstanceRef("ns", "edge"), Map.of(), Optional.empty());
        assertThat(d.identitySecret()).isEqualTo("edge-identity");
        assertThat(d.identityKey()).isEqualTo("identity.ed25519");
        assertThat(d.configSecret()).isEqualTo("edge-config");
        assertThat(d.configKey()).isEqualTo("reflector.toml");
        assertThat(d.listenOverride()).isEmpty();

        KubeSettings e = KubeSettings.resolve(
                new InstanceRef("ns", "edge"),
                Map.of(
                        KubeSettings.ENV_IDENTITY_SECRET,
                        "mine",
                        KubeSettings.ENV_IDENTITY_KEY,
                        "seed",
                        KubeSettings.ENV_LISTEN,
                        "127.0.0.1:0",
                        KubeSettings.ENV_DATA_DIR,
                        "/tmp/d",
                        "NODE_NAME",
                        "n1",
                        "HOST_IP",
                        "10.0.0.5"),
                Optional.empty());
        assertThat(e.identitySecret()).isEqualTo("mine");
        assertThat(e.identityKey()).isEqualTo("seed");
        assertThat(e.listenOverride()).contains(new InetSocketAddress("127.0.0.1", 0));
        assertThat(e.dataDirOverride()).contains(Path.of("/tmp/d"));
        assertThat(e.nodeName()).contains("n1");
        assertThat(e.hostIp()).contains("10.0.0.5");

        KubeSettings bound = KubeSettings.resolve(
                new InstanceRef("ns", "edge"),
                Map.of(KubeSettings.ENV_LISTEN, "127.0.0.1:0"),
                Optional.of(new InetSocketAddress("127.0.0.2", 4000)));
        assertThat(bound.listenOverride()).contains(new InetSocketAddress("127.0.0.2", 4000));
    }

    @Test
    void outsideAPodWithoutAKubeconfigTheClientIsRefused() {
        assertThatThrownBy(() -> KubeClients.create(Optional.empty(), Map.of(), "ns"))
                .hasMessageContaining("needs a kubeconfig");
    }

    @Test
    void onlyAPerNodeDeploymentMakesThePodReportAsItsNode() {
        InstanceRef edge = new InstanceRef("ns", "edge");
        assertThat(KubeSettings.resolve(edge, Map.of("NODE_NAME", "n1"), Optional.empty())
                        .reportsPerNode())
                .isFalse();
        assertThat(KubeSettings.resolve(
                                edge,
                                Map.of("NODE_NAME", "n1", KubeSettings.ENV_STATUS_SCOPE, "node"),
                                Optional.empty())
                        .reportsPerNode())
                .isTrue();
        assertThat(KubeSettings.resolve(edge, Map.of(KubeSettings.ENV_STATUS_SCOPE, "instance"), Optional.empty())
                        .reportsPerNode())
                .isFalse();
    }

    @Test
    void eachNodeReportsUnderAFieldManagerOfItsOwnThatTheApiServerAccepts() {
        assertThat(io.packetparamedic.api.crd.FieldManagers.reflectorOnNode("n1"))
                .isEqualTo("packetparamedic-reflector-n1");
        String longA = "a".repeat(200) + ".example";
        String longB = "b".repeat(200) + ".example";
        assertThat(io.packetparamedic.api.crd.FieldManagers.reflectorOnNode(longA))
                .hasSizeLessThanOrEqualTo(128)
                .isNotEqualTo(io.packetparamedic.api.crd.FieldManagers.reflectorOnNode(longB));
    }

    @Test
    void aNodeReportCarriesTheInstanceReportsHeartbeatIdentityAndSessions() {
        var report = new StatusReports.Instance("PP-ID", "n1", "192.0.2.1", 2, java.util.List.of(), 3, 4L, 1, "abc")
                .toNodeReport("2026-11-30T12:00:00Z");
        assertThat(report.lastHeartbeat).isEqualTo("2026-11-30T12:00:00Z");
        assertThat(report.reportedEndpointId).isEqualTo("PP-ID");
        assertThat(report.advertisedAddress).isEqualTo("192.0.2.1");
        assertThat(report.activeSessionCount).isEqualTo(2);
        assertThat(report.appliedConfigHash).isEqualTo("abc");
    }
}
