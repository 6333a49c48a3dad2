package io.packetparamedic.reflector.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetparamedic.api.config.ReflectorConfig;
import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.reflector.client.LinkClient;
import io.packetparamedic.reflector.client.ThroughputRunner;
import io.packetparamedic.reflector.client.UdpEchoProbe;
import io.packetparamedic.reflector.runtime.ReflectorRuntime;
import io.packetparamedic.reflector.selftest.HostPathMeta;
import io.packetparamedic.reflector.wire.Payload;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The session layer behind the real control plane: a real Reflector (TLS 1.3 mTLS, Paramedic
 * Link) with the real SessionManager and engines, driven by LinkClient as an appliance.
 */
class EndToEndSessionsTest {

    @TempDir
    Path dir;

    private final Ed25519Identity appliance = Ed25519Identity.generate();
    private final Ed25519Identity stranger = Ed25519Identity.generate();
    private ReflectorConfig config;
    private SessionLayer sessions;
    private ReflectorRuntime reflector;

    @BeforeEach
    void start() throws Exception {
        config = SessionHarness.config();
        config.identity.privateKeyPath = dir.resolve("identity.ed25519").toString();
        config.network.listenAddress = "127.0.0.1:0";
        config.network.listenAddressHealth = "127.0.0.1:0";
        config.logging.auditLogPath = dir.resolve("audit.jsonl").toString();
        config.state.dataDir = dir.resolve("state").toString();
        config.quotas.maxBytesPerDayPerPeer = 1_000_000_000_000L; // loopback is far faster than a field link
        config.access.authorizedPeers.add(appliance.endpointId().toString());
        config.access.authorizedPeers.add(stranger.endpointId().toString());
        Ed25519Identity identity = Ed25519Identity.generate();
        reflector = ReflectorRuntime.builder(config, identity)
                .pathMeta(new HostPathMeta())
                .start();
        sessions = reflector.sessionLayer().orElseThrow();
    }

    @AfterEach
    void stop() {
        if (reflector != null) reflector.close();
    }

    private LinkClient connect(Ed25519Identity who) throws Exception {
        return LinkClient.connect(
                reflector.controlAddress(), who, LinkClient.Options.defaults().withReadTimeout(Duration.ofSeconds(20)));
    }

    @Test
    void applianceRunsUploadThenDownloadOverOneConnectionAndStatusShowsTheFigures() throws Exception {
        ThroughputRunner iperf3 = new ThroughputRunner("iperf3");
        try (LinkClient link = connect(appliance)) {
            link.hello();
            Payload up = link.sessionRequest("throughput", new Payload.SessionParams(6, "tcp", 2, false));
            assertThat(up).isInstanceOf(Payload.SessionGrant.class);
            Payload.SessionGrant upload = (Payload.SessionGrant) up;
            assertThat(upload.mode()).isEqualTo("direct_ephemeral");
            ThroughputRunner.Result u = iperf3.run("127.0.0.1", upload.port(), 6, 2, false, null);
            assertThat(u.ok()).as("upload: %s", u.error()).isTrue();

            Payload down = link.sessionRequest("throughput", new Payload.SessionParams(2, "tcp", 2, true));
            assertThat(down).as("download right after upload").isInstanceOf(Payload.SessionGrant.class);
            Payload.SessionGrant download = (Payload.SessionGrant) down;
            ThroughputRunner.Result d = iperf3.run("127.0.0.1", download.port(), 2, 2, true, null);
            assertThat(d.ok()).as("download: %s", d.error()).isTrue();
            sessions.manager().ended(download.testId()).get(20, TimeUnit.SECONDS);

            Payload.StatusSnapshot status = link.status();
            assertThat(status.testsToday()).isEqualTo(2);
            assertThat(status.bytesToday()).isGreaterThanOrEqualTo(u.bytes() + d.bytes() - 1_000_000);
            assertThat(status.activeTest()).isNull();
        }
    }

    @Test
    void udpEchoThroughTheServerAndOnlyTheOwnerMayClose() throws Exception {
        try (LinkClient owner = connect(appliance);
                LinkClient other = connect(stranger)) {
            Payload.SessionGrant g = (Payload.SessionGrant)
                    owner.sessionRequest("udp_echo", new Payload.SessionParams(10, null, null, null));
            UdpEchoProbe.Result r =
                    new UdpEchoProbe(new InetSocketAddress("127.0.0.1", g.port())).run(100, 1000, 64, 500, null);
            assertThat(r.received()).isEqualTo(100);

            Payload.StatusSnapshot during = other.status();
            assertThat(during.activeTest()).isNotNull();
            assertThat(during.activeTest().testId()).isEqualTo(g.testId());
            assertThat(during.activeTest().peerId())
                    .isEqualTo(appliance.endpointId().toString());

            Payload refused =
                    other.request(new Payload.SessionClose(g.testId())).payload();
            assertThat(refused).isInstanceOf(Payload.Error.class);
            assertThat(owner.sessionClose(g.testId())).isInstanceOf(Payload.Ok.class);
            sessions.manager().ended(g.testId()).get(10, TimeUnit.SECONDS);
            assertThat(owner.status().bytesToday()).isEqualTo(100L * 64);
        }
        String metrics = scrapeMetrics();
        assertThat(metrics).contains("reflector_sessions_granted_total{test_type=\"udp_echo\"} 1.0");
        assertThat(metrics).contains("reflector_session_bytes_total{test_type=\"udp_echo\"} 6400.0");
        assertThat(metrics).contains("reflector_sessions_active 0.0");
    }

    private String scrapeMetrics() throws Exception {
        java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient()
                .send(
                        java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:"
                                        + reflector.healthAddress().getPort() + "/metrics"))
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    @Test
    void streamsAboveTheMaximumAreDeniedOverTheWire() throws Exception {
        try (LinkClient link = connect(appliance)) {
            Payload p = link.sessionRequest("throughput", new Payload.SessionParams(5, "tcp", 64, false));
            assertThat(p).isInstanceOf(Payload.SessionDeny.class);
            assertThat(((Payload.SessionDeny) p).reason()).isEqualTo("invalid_params");
        }
        assertThat(scrapeMetrics()).contains("reflector_sessions_denied_total{reason=\"invalid_params\"} 1.0");
    }

    @Test
    void pathMetaCarriesRealHostFigures() throws Exception {
        try (LinkClient link = connect(appliance)) {
            Payload.PathMeta m = link.pathMeta();
            assertThat(m.memoryTotalMb()).isPositive();
            assertThat(m.memoryUsedMb()).isPositive().isLessThan(m.memoryTotalMb());
            assertThat(m.loadAvg()).hasSize(3);
            assertThat(m.mtu())
                    .isEqualTo(java.net.NetworkInterface.getByName("lo").getMTU());
            assertThat(m.buildVersion()).isNotBlank();
            assertThat(m.buildHash()).isNotBlank();
        }
    }
}
