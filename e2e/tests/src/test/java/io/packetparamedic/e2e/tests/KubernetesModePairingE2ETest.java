package io.packetparamedic.e2e.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Secret;
import io.packetparamedic.api.crd.AuthorizedPeer;
import io.packetparamedic.api.crd.AuthorizedPeerStatus;
import io.packetparamedic.api.crd.Labels;
import io.packetparamedic.api.crd.PairingWindow;
import io.packetparamedic.api.crd.PairingWindowStatus;
import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.e2e.harness.Await;
import io.packetparamedic.e2e.harness.RepoLayout;
import io.packetparamedic.reflector.client.LinkClient;
import io.packetparamedic.reflector.conformance.FieldClient;
import io.packetparamedic.reflector.conformance.FieldSpeedTest;
import io.packetparamedic.reflector.wire.Payload;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/** Pairing through PairingWindows: a test appliance, an expired window, and the deployed field client. */
class KubernetesModePairingE2ETest extends KubernetesModeFixture {

    @Test
    @Order(1)
    void pairingThroughAPairingWindowCreatesThePeerAndConsumesTheWindow() throws Exception {
        Path sample = RepoLayout.requireRoot().resolve("config/samples/pairingwindow.yaml");
        cluster.kubectl("apply", "-n", ns, "-f", sample.toString()).orThrow();
        String code = codeOf("new-appliance");

        Appliance first = new Appliance();
        Payload.PairResponse paired = Await.until(Duration.ofSeconds(10), "pairing with the window's code", () -> {
            try (LinkClient c = first.connect(reflector)) {
                Payload.PairResponse r = c.pair(code);
                return r.success() ? r : null;
            } catch (IOException e) {
                return null; // the code is not in the reflector's config yet: denied at the handshake
            }
        });
        assertThat(paired.endpointId()).isEqualTo(reflector.endpointId());

        AuthorizedPeer created =
                Await.until(STATUS, "the AuthorizedPeer from the window", () -> peerOrNull("new-appliance"));
        assertThat(created.getSpec().endpointId).isEqualTo(first.id().toString());
        PairingWindow consumed = Await.until(STATUS, "window Consumed", () -> {
            PairingWindow w = window("new-appliance");
            return w.getStatus() != null && w.getStatus().phase == PairingWindowStatus.Phase.Consumed ? w : null;
        });
        assertThat(consumed.getStatus().pairedEndpointId).isEqualTo(first.id().toString());
        assertThat(consumed.getStatus().authorizedPeer).isEqualTo("new-appliance");
        assertThat(first.accepted(reflector)).isTrue();

        Appliance second = new Appliance();
        assertThat(pairs(second, code))
                .as("a second appliance with the same code")
                .isFalse();

        // An expired window refuses pairing.
        applyPairingWindow("short", "3s");
        String shortCode = codeOf("short");
        Await.until(Duration.ofSeconds(20), "window 'short' Expired", () -> {
            PairingWindowStatus st = window("short").getStatus();
            return st != null && st.phase == PairingWindowStatus.Phase.Expired;
        });
        assertThat(pairs(new Appliance(), shortCode))
                .as("pairing through an expired window")
                .isFalse();
    }

    /**
     * The deployed appliance client, reproduced on the wire, against the Kubernetes-mode reflector
     * with the sample's quotas (6 tests an hour, 200 GB a day, 30 s per test, default cooldown):
     * it pairs with a PairingWindow's code, runs its speed test twice in a row, and the
     * AuthorizedPeer's status shows the four sessions and their bytes.
     */
    @Test
    @Order(2)
    void theFieldClientPairsThroughAWindowAndRunsItsSpeedTestTwiceWithTheSampleQuotas() throws Exception {
        cluster.mergePatch(
                ns,
                "reflectorinstance",
                INSTANCE,
                "{\"spec\":{\"quotas\":{\"maxTestsPerHourPerPeer\":6,\"cooldownSec\":null}}}");
        Await.until(STATUS, "the config Secret with the sample's quotas", () -> {
            String toml = decode(
                    admin.secrets()
                            .inNamespace(ns)
                            .withName(INSTANCE + "-config")
                            .get(),
                    Labels.CONFIG_KEY);
            return toml.contains("max_tests_per_hour_per_peer = 6") && toml.contains("cooldown_sec = 5");
        });
        applyPairingWindow("field-appliance", "10m");
        String code = codeOf("field-appliance");
        Ed25519Identity appliance = Ed25519Identity.generate();
        InetSocketAddress control = new InetSocketAddress("127.0.0.1", reflector.port());
        Await.until(Duration.ofSeconds(10), "the field client pairing with the window's code", () -> {
            try (FieldClient c = FieldClient.connect(control, appliance)) {
                return c.pair(code).path("success").asBoolean() ? Boolean.TRUE : null;
            } catch (IOException e) {
                return null; // the code is not in the reflector's config yet: denied at the handshake
            }
        });
        AuthorizedPeer created =
                Await.until(STATUS, "the AuthorizedPeer from the window", () -> peerOrNull("field-appliance"));
        assertThat(created.getSpec().endpointId)
                .isEqualTo(appliance.endpointId().toString());

        long started = System.nanoTime();
        FieldSpeedTest.Result first = FieldSpeedTest.run(control, appliance, "iperf3");
        FieldSpeedTest.Result second = FieldSpeedTest.run(control, appliance, "iperf3");
        long clientBytes = first.bytesSent() + second.bytesSent();
        System.err.printf(
                "[e2e] field speed test twice: %.1f s, %.2f GB moved by the client%n",
                (System.nanoTime() - started) / 1e9, clientBytes / 1e9);

        // A session counts when it starts and its bytes when it ends, so wait for the last bytes.
        AuthorizedPeerStatus st = Await.until(STATUS, "the four sessions and their bytes in the peer's status", () -> {
            AuthorizedPeerStatus s = peer("field-appliance").getStatus();
            return s != null
                            && s.totalSessions != null
                            && s.totalSessions == 4
                            && s.bytesToday != null
                            && s.bytesToday >= clientBytes * 0.95
                    ? s
                    : null;
        });
        assertThat((double) st.bytesToday).isLessThanOrEqualTo(clientBytes * 1.05);
        // The instance's status is written at most once a second, so it may trail the peer's.
        Await.until(STATUS, "the instance's bytes today covering the field client's", () -> {
            Long bytes = instance().getStatus().bytesToday;
            return bytes != null && bytes >= st.bytesToday ? Boolean.TRUE : null;
        });
    }

    private boolean pairs(Appliance a, String code) {
        try (LinkClient c = a.connect(reflector)) {
            return c.pair(code).success();
        } catch (IOException e) {
            return false; // no window open for it: denied at the handshake
        }
    }

    String codeOf(String window) throws InterruptedException {
        String secretName = Await.until(STATUS, "code Secret of " + window, () -> {
            PairingWindowStatus st = window(window).getStatus();
            return st != null && st.codeSecret != null ? st.codeSecret : null;
        });
        Secret s = Await.until(
                STATUS,
                "Secret " + secretName,
                () -> admin.secrets().inNamespace(ns).withName(secretName).get());
        return decode(s, Labels.PAIRING_CODE_KEY).strip();
    }
}
