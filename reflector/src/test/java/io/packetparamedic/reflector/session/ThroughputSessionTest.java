package io.packetparamedic.reflector.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetparamedic.api.config.ReflectorConfig;
import io.packetparamedic.reflector.client.ThroughputRunner;
import io.packetparamedic.reflector.engine.RunningEngine;
import io.packetparamedic.reflector.engine.ThroughputEngine;
import io.packetparamedic.reflector.wire.Payload;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Throughput sessions with a real iperf3 server and a real iperf3 client on loopback. */
class ThroughputSessionTest {

    @TempDir
    java.nio.file.Path dir;

    private final ThroughputRunner client = new ThroughputRunner("iperf3");

    @Test
    void aTransferBeyondTheDailyByteQuotaMakesTheNextRequestQuotaExceeded() throws Exception {
        ReflectorConfig cfg = SessionHarness.config();
        cfg.quotas.cooldownSec = 0;
        cfg.quotas.maxBytesPerDayPerPeer = 10_000_000; // 10 MB: a 1 s loopback transfer moves far more
        try (SessionHarness h = new SessionHarness(dir, cfg)) {
            PeerContext peer = SessionHarness.peer();
            Payload.SessionGrant g = h.grant(peer, SessionHarness.throughput(1, 1, false));
            ThroughputRunner.Result run = client.run("127.0.0.1", g.port(), 1, 1, false, null);
            assertThat(run.ok()).as("iperf3 client: %s", run.error()).isTrue();
            h.awaitEnded(g.testId());

            long recorded = h.manager
                    .governance()
                    .snapshot()
                    .get(peer.peerId().toString())
                    .bytesToday();
            assertThat(recorded).isGreaterThan(10_000_000L);
            // The session's bytes are iperf3's own totals: the client's and the server's agree.
            assertThat((double) recorded).isCloseTo(run.bytes(), org.assertj.core.data.Percentage.withPercentage(1));
            assertThat(h.manager.bytesToday()).isEqualTo(recorded);

            Payload.SessionDeny deny = (Payload.SessionDeny) h.request(peer, SessionHarness.throughput(1, 1, false));
            assertThat(deny.reason()).isEqualTo("quota_exceeded");
            assertThat(deny.retryAfterSec()).isBetween(1L, 86_400L);
            assertThat(h.auditLines())
                    .anySatisfy(l -> assertThat(l)
                            .contains("\"session_completed\"")
                            .contains(g.testId())
                            .contains("\"bytes_transferred\":" + recorded))
                    .anySatisfy(l -> assertThat(l)
                            .contains("\"session_denied\"")
                            .contains("\"reason\":\"daily byte quota exceeded\""));
        }
    }

    @Test
    void applianceFlowUploadThenImmediateDownloadIsGrantedWithDefaultQuotas() throws Exception {
        ReflectorConfig cfg = SessionHarness.config(); // defaults: 1 concurrent test, cooldown 5 s, 10 per hour
        // Except the daily bytes: loopback moves the default 5 GB in a few seconds, a field link does not.
        cfg.quotas.maxBytesPerDayPerPeer = 1_000_000_000_000L;
        try (SessionHarness h = new SessionHarness(dir, cfg)) {
            PeerContext appliance = SessionHarness.peer();
            Payload.SessionGrant upload = h.grant(appliance, SessionHarness.throughput(6, 2, false));
            ThroughputRunner.Result up = client.run("127.0.0.1", upload.port(), 6, 2, false, null);
            assertThat(up.ok()).as("upload: %s", up.error()).isTrue();

            // No session_close and no pause: the download request follows at once.
            Payload second = h.request(appliance, SessionHarness.throughput(2, 2, true));
            assertThat(second).as("download request").isInstanceOf(Payload.SessionGrant.class);
            Payload.SessionGrant download = (Payload.SessionGrant) second;
            ThroughputRunner.Result down = client.run("127.0.0.1", download.port(), 2, 2, true, null);
            assertThat(down.ok()).as("download: %s", down.error()).isTrue();
            h.awaitEnded(download.testId());

            assertThat(up.bitsPerSecond()).isPositive();
            assertThat(down.bitsPerSecond()).isPositive();
            assertThat(h.manager.testsToday()).isEqualTo(2);
            assertThat(h.auditLines().stream()
                            .filter(l -> l.contains("\"session_completed\""))
                            .count())
                    .isEqualTo(2);
            assertThat(h.auditLines()).noneSatisfy(l -> assertThat(l).contains("\"session_denied\""));
        }
    }

    @Test
    void anUnusedIperf3IsKilledAtExpiryReapedAndItsPortReusable() throws Exception {
        ReflectorConfig cfg = SessionHarness.config();
        try (SessionHarness h = new SessionHarness(dir, cfg)) {
            PeerContext peer = SessionHarness.peer();
            Payload.SessionGrant g = h.grant(peer, SessionHarness.throughput(1, 1, false));
            RunningEngine engine = h.manager.engineOf(g.testId()).orElseThrow();
            ProcessHandle iperf3 = ((ThroughputEngine.Iperf3Server) engine).handle();
            assertThat(iperf3.isAlive()).isTrue();
            long grantedAt = System.nanoTime();

            // Nobody connects: the session expires 1 s + 5 s grace after the grant.
            iperf3.onExit().get(15, TimeUnit.SECONDS);
            h.awaitEnded(g.testId());
            double afterSec = (System.nanoTime() - grantedAt) / 1e9;
            assertThat(afterSec).isBetween(4.0, 7.5);
            assertThat(iperf3.isAlive()).isFalse();
            // Reaped: no /proc entry is left behind (a zombie would keep one).
            assertThat(java.nio.file.Path.of("/proc", Long.toString(iperf3.pid())))
                    .doesNotExist();
            try (ServerSocket again = new ServerSocket()) {
                again.setReuseAddress(true);
                again.bind(new InetSocketAddress(g.port()));
            }
            assertThat(h.manager.activeSessions()).isEmpty();
        }
    }

    @Test
    void closingARunningTestStopsIperf3PromptlyAndKeepsItsPartialTotals() throws Exception {
        try (SessionHarness h = new SessionHarness(dir, SessionHarness.config())) {
            PeerContext peer = SessionHarness.peer();
            Payload.SessionGrant g = h.grant(peer, SessionHarness.throughput(10, 1, false));
            Thread clientThread = new Thread(() -> {
                try {
                    client.run("127.0.0.1", g.port(), 10, 1, false, null);
                } catch (Exception ignored) {
                    // the server goes away mid-test; that is the point
                }
            });
            clientThread.start();
            ProcessHandle iperf3 = ((ThroughputEngine.Iperf3Server)
                            h.manager.engineOf(g.testId()).orElseThrow())
                    .handle();
            // Wait until the client's data stream is connected, then let traffic through and close.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!hasEstablished(g.port()) && System.nanoTime() < deadline) Thread.sleep(20);
            // iperf3 reports per 1 s interval; its totals on SIGTERM cover the intervals completed.
            Thread.sleep(2500);
            long closedAt = System.nanoTime();
            assertThat(h.close(peer, g.testId())).isInstanceOf(Payload.Ok.class);
            iperf3.onExit().get(5, TimeUnit.SECONDS);
            // SIGTERM, and SIGKILL 0.5 s later at the latest.
            assertThat((System.nanoTime() - closedAt) / 1e9).isLessThan(1.5);
            h.awaitEnded(g.testId());
            assertThat(h.manager.activeSessions()).isEmpty();
            assertThat(h.auditLines())
                    .anySatisfy(
                            l -> assertThat(l).contains("\"session_completed\"").contains(g.testId()));
            // iperf3 prints its totals so far on SIGTERM: closing mid-test does not dodge the byte quota.
            assertThat(h.manager
                            .governance()
                            .snapshot()
                            .get(peer.peerId().toString())
                            .bytesToday())
                    .isPositive();
            clientThread.join(15_000);
        }
    }

    /** Connections established to the server's port: the control connection and a data stream. */
    private static boolean hasEstablished(int port) {
        String local = String.format(java.util.Locale.ROOT, ":%04X", port);
        long established = 0;
        for (String table : java.util.List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            try {
                established += java.nio.file.Files.readAllLines(java.nio.file.Path.of(table)).stream()
                        .map(l -> l.trim().split("\\s+"))
                        .filter(f -> f.length > 3 && f[1].endsWith(local) && f[3].equals("01"))
                        .count();
            } catch (java.io.IOException e) {
                // table absent (no IPv6): nothing from it
            }
        }
        return established >= 2;
    }
}
