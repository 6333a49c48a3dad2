package io.packetparamedic.reflector.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.packetparamedic.api.config.ReflectorConfig;
import io.packetparamedic.reflector.client.StampSender;
import io.packetparamedic.reflector.engine.StampPacket;
import io.packetparamedic.reflector.engine.UdpEchoEngine;
import io.packetparamedic.reflector.wire.Payload;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * STAMP sessions through the real session manager: admitted, limited and accounted like UDP echo,
 * but always pinned to the granted peer, and closed at once when the peer's next request
 * supersedes an ended one.
 */
class StampSessionTest {

    @TempDir
    Path dir;

    private static DatagramPacket testPacket(int seq, int port) throws Exception {
        byte[] p = ByteBuffer.allocate(StampPacket.BASE_LENGTH).putInt(seq).array();
        return new DatagramPacket(p, p.length, InetAddress.getByName("127.0.0.1"), port);
    }

    @Test
    void theGrantCarriesThePacketRateAndTheAnswersAreCounted() throws Exception {
        ReflectorConfig cfg = SessionHarness.config();
        cfg.quotas.udpEchoMaxPacketRate = 300;
        try (SessionHarness h = new SessionHarness(dir, cfg)) {
            PeerContext peer = SessionHarness.peer("127.0.0.1");
            Payload.SessionGrant g = h.grant(peer, SessionHarness.stamp(10));
            assertThat(g.packetRate()).isEqualTo(300);
            StampSender.Result r = new StampSender(new InetSocketAddress("127.0.0.1", g.port()))
                    .run(StampSender.Settings.of(20, 5, 0, 1000));
            assertThat(r.received()).isEqualTo(20);
            h.close(peer, g.testId());
            h.awaitEnded(g.testId());
            assertThat(h.manager.bytesToday())
                    .isEqualTo(20L * StampSender.Settings.of(20, 5, 0, 1000).packetLength());
            assertThat(h.auditLines())
                    .anySatisfy(
                            l -> assertThat(l).contains("\"session_granted\"").contains("\"stamp\""));
        }
    }

    @Test
    void anotherSourceIsNotAnsweredEvenWithTheUdpEchoSourceCheckOff() throws Exception {
        ReflectorConfig cfg = SessionHarness.config();
        cfg.network.udpEchoSourceCheck = false;
        try (SessionHarness h = new SessionHarness(dir, cfg);
                DatagramSocket stranger = new DatagramSocket(new InetSocketAddress("127.0.0.2", 0));
                DatagramSocket owner = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            PeerContext peer = SessionHarness.peer("127.0.0.1");
            Payload.SessionGrant g = h.grant(peer, SessionHarness.stamp(10));
            UdpEchoEngine.Echo session =
                    (UdpEchoEngine.Echo) h.manager.engineOf(g.testId()).orElseThrow();
            stranger.send(testPacket(1, g.port()));
            // The owner's packet is queued after the stranger's: once answered, the stranger's was judged.
            owner.setSoTimeout(5000);
            owner.send(testPacket(2, g.port()));
            DatagramPacket answer = new DatagramPacket(new byte[128], 128);
            owner.receive(answer);
            assertThat(ByteBuffer.wrap(answer.getData()).getInt(StampPacket.SENDER_SEQUENCE))
                    .isEqualTo(2);
            assertThat(session.droppedForeign()).isEqualTo(1);
            stranger.setSoTimeout(300);
            assertThatThrownBy(() -> stranger.receive(new DatagramPacket(new byte[128], 128)))
                    .isInstanceOf(SocketTimeoutException.class);
            h.close(peer, g.testId());
        }
    }

    @Test
    void anEndedSessionIsClosedAtOnceByThePeersNextRequest() throws Exception {
        ReflectorConfig cfg = SessionHarness.config();
        cfg.quotas.maxConcurrentTests = 1;
        cfg.quotas.cooldownSec = 0;
        try (SessionHarness h = new SessionHarness(dir, cfg)) {
            PeerContext peer = SessionHarness.peer();
            Payload.SessionGrant first = h.grant(peer, SessionHarness.stamp(10));
            h.clock.advance(Duration.ofSeconds(11));
            long before = System.nanoTime();
            Payload.SessionGrant second = h.grant(peer, SessionHarness.stamp(5));
            // A throughput session would get 3 s to finish by itself; a STAMP one is stopped at once.
            assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(2));
            assertThat(h.manager.activeSessions())
                    .extracting(ActiveSession::testId)
                    .containsExactly(second.testId());
            assertThat(second.testId()).isNotEqualTo(first.testId());
        }
    }
}
