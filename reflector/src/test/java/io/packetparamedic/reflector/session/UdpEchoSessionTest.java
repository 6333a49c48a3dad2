package io.packetparamedic.reflector.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.internal.PlatformDependent;
import io.packetparamedic.api.config.ReflectorConfig;
import io.packetparamedic.reflector.client.UdpEchoProbe;
import io.packetparamedic.reflector.engine.UdpEchoEngine;
import io.packetparamedic.reflector.wire.Payload;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** UDP echo sessions with real datagrams on loopback. */
class UdpEchoSessionTest {

    @TempDir
    java.nio.file.Path dir;

    @Test
    void aDatagramComesBackUnchangedAndIsCounted() throws Exception {
        try (SessionHarness h = new SessionHarness(dir, SessionHarness.config());
                DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            PeerContext peer = SessionHarness.peer("127.0.0.1");
            Payload.SessionGrant g = h.grant(peer, SessionHarness.udpEcho(10));
            byte[] sent = new byte[1200];
            new java.util.Random(7).nextBytes(sent);
            socket.setSoTimeout(5000);
            socket.send(new DatagramPacket(sent, sent.length, InetAddress.getLoopbackAddress(), g.port()));
            DatagramPacket reply = new DatagramPacket(new byte[2048], 2048);
            socket.receive(reply);
            assertThat(Arrays.copyOf(reply.getData(), reply.getLength())).isEqualTo(sent);
            assertThat(reply.getPort()).isEqualTo(g.port());

            UdpEchoProbe.Result probe =
                    new UdpEchoProbe(new InetSocketAddress("127.0.0.1", g.port())).run(200, 2000, 64, 500, null);
            assertThat(probe.received()).isEqualTo(200);
            assertThat(probe.corrupted()).isZero();
            assertThat(probe.rttMinMs()).isPositive();
            assertThat(probe.rttP99Ms()).isGreaterThanOrEqualTo(probe.rttP50Ms());

            h.close(peer, g.testId());
            h.awaitEnded(g.testId());
            assertThat(h.manager.bytesToday()).isEqualTo(1200L + 200L * 64);
        }
    }

    @Test
    void aFloodAtTenTimesTheRateIsClippedToTheRateWithBoundedMemory() throws Exception {
        ReflectorConfig cfg = SessionHarness.config();
        cfg.quotas.udpEchoMaxPacketRate = 500;
        try (SessionHarness h = new SessionHarness(dir, cfg);
                DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            PeerContext peer = SessionHarness.peer("127.0.0.1");
            Payload.SessionGrant g = h.grant(peer, SessionHarness.udpEcho(20));
            UdpEchoEngine.Echo echo =
                    (UdpEchoEngine.Echo) h.manager.engineOf(g.testId()).orElseThrow();
            long directBefore = directMemoryInUse();

            // 5,000 packets/s (10x the limit) for 2 s, paced in 1 ms bursts of 5.
            byte[] payload = new byte[1200];
            DatagramPacket packet =
                    new DatagramPacket(payload, payload.length, InetAddress.getLoopbackAddress(), g.port());
            long start = System.nanoTime();
            int sent = 0;
            for (int ms = 0; ms < 2000; ms++) {
                for (int i = 0; i < 5; i++, sent++) socket.send(packet);
                long due = start + TimeUnit.MILLISECONDS.toNanos(ms + 1);
                while (System.nanoTime() < due) Thread.onSpinWait();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            // Everything the engine will see has arrived once it has accounted for every packet sent.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (echo.echoedPackets() + echo.droppedRate() + echo.droppedBackpressure() < sent * 0.95
                    && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            long directDuring = directMemoryInUse();
            long allowed = (long) (500 * seconds) + 50; // the rate over the run plus the 0.1 s burst
            assertThat(echo.echoedPackets()).isLessThanOrEqualTo(allowed).isGreaterThan((long) (500 * seconds * 0.8));
            assertThat(echo.droppedRate()).isGreaterThan(sent / 2);
            assertThat(directDuring - directBefore).isLessThan(32L << 20);

            // The echoes really arrived (up to the socket's buffer).
            socket.setSoTimeout(200);
            int received = 0;
            try {
                while (true) {
                    socket.receive(new DatagramPacket(new byte[2048], 2048));
                    received++;
                }
            } catch (SocketTimeoutException done) {
                // drained
            }
            assertThat(received).isPositive().isLessThanOrEqualTo((int) echo.echoedPackets());
            h.close(peer, g.testId());
        }
    }

    @Test
    void datagramsFromAnotherSourceAddressAreNotEchoed() throws Exception {
        try (SessionHarness h = new SessionHarness(dir, SessionHarness.config());
                DatagramSocket stranger = new DatagramSocket(new InetSocketAddress("127.0.0.2", 0));
                DatagramSocket owner = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            PeerContext peer = SessionHarness.peer("127.0.0.1");
            Payload.SessionGrant g = h.grant(peer, SessionHarness.udpEcho(10));
            UdpEchoEngine.Echo echo =
                    (UdpEchoEngine.Echo) h.manager.engineOf(g.testId()).orElseThrow();
            byte[] data = "not yours".getBytes();
            for (int i = 0; i < 10; i++) {
                stranger.send(new DatagramPacket(data, data.length, InetAddress.getByName("127.0.0.1"), g.port()));
            }
            // The owner's datagram after them is answered; by then the stranger's were read and dropped.
            owner.setSoTimeout(5000);
            owner.send(new DatagramPacket(data, data.length, InetAddress.getByName("127.0.0.1"), g.port()));
            owner.receive(new DatagramPacket(new byte[64], 64));
            assertThat(echo.droppedForeign()).isEqualTo(10);
            assertThat(echo.echoedPackets()).isEqualTo(1);
            stranger.setSoTimeout(300);
            org.assertj.core.api.Assertions.assertThatThrownBy(
                            () -> stranger.receive(new DatagramPacket(new byte[64], 64)))
                    .isInstanceOf(SocketTimeoutException.class);
            h.close(peer, g.testId());
        }
    }

    @Test
    void withTheSourceCheckOffAnotherSourceIsEchoed() throws Exception {
        ReflectorConfig cfg = SessionHarness.config();
        cfg.network.udpEchoSourceCheck = false;
        try (SessionHarness h = new SessionHarness(dir, cfg);
                DatagramSocket other = new DatagramSocket(new InetSocketAddress("127.0.0.2", 0))) {
            PeerContext peer = SessionHarness.peer("127.0.0.1");
            Payload.SessionGrant g = h.grant(peer, SessionHarness.udpEcho(10));
            other.setSoTimeout(5000);
            other.send(new DatagramPacket(new byte[] {1, 2, 3}, 3, InetAddress.getByName("127.0.0.1"), g.port()));
            DatagramPacket reply = new DatagramPacket(new byte[64], 64);
            other.receive(reply);
            assertThat(reply.getLength()).isEqualTo(3);
            h.close(peer, g.testId());
        }
    }

    @Test
    void theEngineStopsAtExpiry() throws Exception {
        try (SessionHarness h = new SessionHarness(dir, SessionHarness.config());
                DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            PeerContext peer = SessionHarness.peer("127.0.0.1");
            long before = System.nanoTime();
            Payload.SessionGrant g = h.grant(peer, SessionHarness.udpEcho(1));
            h.awaitEnded(g.testId()); // no close: 1 s + 5 s grace
            double seconds = (System.nanoTime() - before) / 1e9;
            assertThat(seconds).isBetween(5.0, 7.0);
            assertThat(h.manager.activeSessions()).isEmpty();
            socket.setSoTimeout(300);
            socket.send(new DatagramPacket(new byte[] {9}, 1, InetAddress.getByName("127.0.0.1"), g.port()));
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> socket.receive(new DatagramPacket(new byte[8], 8)))
                    .isInstanceOfAny(SocketTimeoutException.class, java.net.PortUnreachableException.class);
            // The port is free again.
            try (DatagramSocket again = new DatagramSocket(new InetSocketAddress(g.port()))) {
                assertThat(again.getLocalPort()).isEqualTo(g.port());
            }
            assertThat(h.auditLines())
                    .anySatisfy(
                            l -> assertThat(l).contains("\"session_completed\"").contains(g.testId()));
        }
    }

    /**
     * Direct memory held by the process, whichever way Netty allocates it: Netty's own counter
     * (used when it allocates without cleaners; -1 otherwise) plus the JDK's direct buffer pool
     * (ByteBuffer.allocateDirect, which the channels' allocator uses otherwise).
     */
    private static long directMemoryInUse() {
        long netty = Math.max(0, PlatformDependent.usedDirectMemory());
        long nio = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(pool -> pool.getName().equals("direct"))
                .mapToLong(BufferPoolMXBean::getMemoryUsed)
                .sum();
        return netty + nio;
    }
}
