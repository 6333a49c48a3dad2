package io.packetparamedic.kubectl;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.packetparamedic.api.crd.Labels;
import io.packetparamedic.api.crd.PairingWindow;
import io.packetparamedic.api.crd.PairingWindowStatus;
import io.packetparamedic.e2e.harness.Await;
import io.packetparamedic.e2e.harness.KubeCluster;
import io.packetparamedic.e2e.harness.KubeTestCluster;
import io.packetparamedic.e2e.harness.TestNamespace;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code pair} without an operator in this cluster: what it creates, how it times out, and (the
 * test writing the operator's status fields) how it reports a window that expires unused. The
 * whole flow against the real operator and reflector is e2e/tests KubectlPluginE2ETest.
 */
@KubeCluster
class PairTest {

    @Test
    void createsTheWindowFromItsFlagsAndTimesOutWhenNoOperatorIssuesACode(KubeTestCluster cluster, TestNamespace ns) {
        Fixtures.instance(cluster.client(), ns.name(), "edge", 4000);

        Plugin.Result r = Plugin.run(
                cluster,
                "pair",
                "edge",
                "-n",
                ns.name(),
                "--name",
                "w1",
                "--ttl",
                "90s",
                "--peer-name",
                "kitchen-pi",
                "--display-name",
                "Kitchen",
                "--timeout",
                "2s",
                "--no-wait");

        assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.TIMED_OUT);
        assertThat(r.err())
                .isEqualTo(
                        "error: the operator issued no code within 2s (is it running? kubectl packetparamedic doctor)\n");
        PairingWindow w = cluster.client()
                .resources(PairingWindow.class)
                .inNamespace(ns.name())
                .withName("w1")
                .get();
        assertThat(w.getSpec().reflectorRef.name).isEqualTo("edge");
        assertThat(w.getSpec().ttl).as("the canonical form").isEqualTo("1m30s");
        assertThat(w.getSpec().peerTemplate.name).isEqualTo("kitchen-pi");
        assertThat(w.getSpec().peerTemplate.displayName).isEqualTo("Kitchen");
    }

    @Test
    void refusesAnUnknownInstanceAndABadTtlWithoutCreatingAnything(KubeTestCluster cluster, TestNamespace ns) {
        Plugin.Result missing = Plugin.run(cluster, "pair", "nope", "-n", ns.name());
        assertThat(missing.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(missing.err()).startsWith("error: reflectorinstance \"nope\" not found in namespace " + ns.name());

        Fixtures.instance(cluster.client(), ns.name(), "edge", 4000);
        Plugin.Result badTtl = Plugin.run(cluster, "pair", "edge", "-n", ns.name(), "--ttl", "10x");
        assertThat(badTtl.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(badTtl.err()).startsWith("--ttl: invalid duration \"10x\"");
        Plugin.Result tooLong = Plugin.run(cluster, "pair", "edge", "-n", ns.name(), "--ttl", "7d1s");
        assertThat(tooLong.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(tooLong.err()).startsWith("--ttl: at most 7d (the reflector keeps a pairing code no longer)");

        assertThat(cluster.client()
                        .resources(PairingWindow.class)
                        .inNamespace(ns.name())
                        .list()
                        .getItems())
                .isEmpty();
    }

    @Test
    void printsTheCodeThenTheReasonWhenTheWindowExpiresUnused(KubeTestCluster cluster, TestNamespace ns)
            throws Exception {
        KubernetesClient client = cluster.client();
        Fixtures.instance(client, ns.name(), "edge", 4000);
        Plugin.Running pair = Plugin.start(cluster, "pair", "edge", "-n", ns.name(), "--name", "w2", "--ttl", "1h");

        // Playing the operator: the code Secret and the Open status, then Expired.
        PairingWindowStatus st = open(client, ns.name(), "w2", "K7QM2XPA");
        // Not piped to a terminal: the countdown prints whole lines, the first one at once.
        Await.until(
                Duration.ofSeconds(30),
                "the code and the countdown",
                () -> pair.out().toString().contains("Waiting for the appliance: 59m"));
        assertThat(pair.out().toString())
                .contains("  Pairing code:  K7QM2XPA")
                .contains("  Expires:       " + st.expiresAt)
                .contains("The reflector has the code: enter the address and the code on the appliance.");

        st.phase = PairingWindowStatus.Phase.Expired;
        st.message = "closed unused at " + st.expiresAt;
        PairingWindow w = client.resources(PairingWindow.class)
                .inNamespace(ns.name())
                .withName("w2")
                .get();
        w.setStatus(st);
        client.resource(w).updateStatus();

        Plugin.Result r = pair.result().get(30, TimeUnit.SECONDS);
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.FAILED);
        assertThat(r.out())
                .as(r.toString())
                .endsWith("The pairing window is Expired: closed unused at " + st.expiresAt + "\n");
    }

    @Test
    void withNoWaitExitsOnceTheCodeIsPrinted(KubeTestCluster cluster, TestNamespace ns) throws Exception {
        Fixtures.instance(cluster.client(), ns.name(), "edge", 4000);
        Plugin.Running pair = Plugin.start(cluster, "pair", "edge", "-n", ns.name(), "--name", "w3", "--no-wait");
        open(cluster.client(), ns.name(), "w3", "M2XPAK7Q");

        Plugin.Result r = pair.result().get(30, TimeUnit.SECONDS);

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out())
                .as(r.toString())
                .contains("  Pairing code:  M2XPAK7Q")
                .endsWith("Not waiting (--no-wait). Follow it with: kubectl get pairingwindow w3 -n " + ns.name()
                        + " -w\n");
    }

    /** What the operator does for a new window: the code Secret, then status Open naming it, Ready once the pod has it. */
    private static PairingWindowStatus open(KubernetesClient client, String ns, String window, String code) {
        PairingWindow w = client.resources(PairingWindow.class)
                .inNamespace(ns)
                .withName(window)
                .waitUntilCondition(Objects::nonNull, 30, TimeUnit.SECONDS);
        client.resource(new SecretBuilder()
                        .withNewMetadata()
                        .withNamespace(ns)
                        .withName(window + "-code")
                        .endMetadata()
                        .addToStringData(Labels.PAIRING_CODE_KEY, code)
                        .build())
                .create();
        PairingWindowStatus st = new PairingWindowStatus();
        st.phase = PairingWindowStatus.Phase.Open;
        st.codeSecret = window + "-code";
        st.expiresAt = Instant.now()
                .plus(Duration.ofHours(1))
                .truncatedTo(ChronoUnit.SECONDS)
                .toString();
        st.conditions = List.of(Fixtures.condition("Ready", true, "CodeLive", "the code is in the config"));
        w.setStatus(st);
        client.resource(w).updateStatus();
        return st;
    }
}
