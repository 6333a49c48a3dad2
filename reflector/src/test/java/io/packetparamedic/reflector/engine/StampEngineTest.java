package io.packetparamedic.reflector.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.packetparamedic.reflector.metrics.DurationHistogram;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The STAMP engine on real loopback sockets, on both data paths: it answers the granted peer in the RFC layout, never
 * anyone else (even with the UDP echo source check switched off, which STAMP ignores), and
 * records every answer's residence time on the registry it is bound to.
 */
class StampEngineTest {

    private StampEngine engine;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @AfterEach
    void close() {
        if (engine != null) engine.close();
    }

    private UdpEchoEngine.Echo start(DataPath path, String testId, String owner) throws Exception {
        return start(path, new EngineRequest(testId, 0, 60, InetAddress.getByName(owner)));
    }

    private UdpEchoEngine.Echo start(DataPath path, EngineRequest request) throws Exception {
        engine = new StampEngine(() -> 1_000_000L, () -> path.nativePath);
        engine.bindTo(registry);
        assertThat(engine.transport()).isEqualTo(path.expectedTransport());
        return engine.start(request);
    }

    private static ByteBuffer testPacket(int seq, int length) {
        ByteBuffer b = ByteBuffer.allocate(length);
        b.putInt(seq).putLong(0xE3B4628D_40000000L).putShort((short) 0x0001).putShort((short) 0x1234);
        b.position(length).flip();
        return b;
    }

    private static DatagramChannel socketOn(String address) throws Exception {
        DatagramChannel c = DatagramChannel.open().bind(new InetSocketAddress(address, 0));
        c.socket().setSoTimeout(5000);
        return c;
    }

    /** Blocking receive with the socket's timeout (DatagramChannel ignores SO_TIMEOUT on receive). */
    private static ByteBuffer receive(DatagramChannel c) throws Exception {
        ByteBuffer in = ByteBuffer.allocate(2048);
        c.socket().receive(new java.net.DatagramPacket(in.array(), in.capacity()));
        return in;
    }

    @ParameterizedTest
    @EnumSource(DataPath.class)
    void answersTheGrantedPeerAndRecordsTheResidenceTime(DataPath path) throws Exception {
        UdpEchoEngine.Echo session = start(path, "t-stamp", "127.0.0.1");
        InetSocketAddress port = new InetSocketAddress("127.0.0.1", session.port());
        try (DatagramChannel peer = socketOn("127.0.0.1")) {
            for (int seq = 0; seq < 5; seq++) {
                java.time.Instant sent = java.time.Instant.now();
                peer.send(testPacket(seq, 60), port);
                java.net.DatagramPacket reply = new java.net.DatagramPacket(new byte[2048], 2048);
                peer.socket().receive(reply);
                ByteBuffer r = ByteBuffer.wrap(reply.getData(), 0, reply.getLength());
                assertThat(reply.getLength()).isEqualTo(60);
                assertThat(r.getInt(StampPacket.SEQUENCE)).isEqualTo(seq);
                assertThat(r.getInt(StampPacket.SENDER_SEQUENCE)).isEqualTo(seq);
                assertThat(r.getShort(StampPacket.SSID)).isEqualTo((short) 0x1234);
                assertThat(r.getLong(StampPacket.SENDER_TIMESTAMP)).isEqualTo(0xE3B4628D_40000000L);
                assertThat(r.getLong(StampPacket.TIMESTAMP))
                        .isGreaterThanOrEqualTo(r.getLong(StampPacket.RECEIVE_TIMESTAMP));
                // T2 and T3 are wall-clock NTP timestamps of this exchange (on the native path T3
                // is written by the C side's send), to the clock's millisecond rounding.
                java.time.Instant answered = java.time.Instant.now();
                for (int field : new int[] {StampPacket.RECEIVE_TIMESTAMP, StampPacket.TIMESTAMP}) {
                    assertThat(NtpTime.toInstant(r.getLong(field)))
                            .isBetween(sent.minusMillis(1), answered.plusMillis(1));
                }
            }
        }
        session.stop();
        assertThat(session.completion().get(5, TimeUnit.SECONDS)).isEqualTo(5 * 60L);
        // Recorded after each batch's send, by the session's thread: complete once it has ended.
        DurationHistogram.Snapshot residence = engine.residence().snapshot();
        assertThat(residence.count()).isEqualTo(5);
        // From the kernel's receive timestamp (native) or the read (Netty): microseconds, not an epoch.
        assertThat(residence.sumNanos()).isPositive().isLessThan(TimeUnit.SECONDS.toNanos(5));
        assertThat(registry.get(StampEngine.RESIDENCE).functionTimer().count()).isEqualTo(5);
    }

    @ParameterizedTest
    @EnumSource(DataPath.class)
    void aPacketFromAnotherSourceIsNotAnswered(DataPath path) throws Exception {
        // The session belongs to 127.0.0.2; 127.0.0.1 is another host as far as pinning goes.
        UdpEchoEngine.Echo session = start(path, "t-stamp-pin", "127.0.0.2");
        InetSocketAddress port = new InetSocketAddress("127.0.0.1", session.port());
        try (DatagramChannel stranger = socketOn("127.0.0.1");
                DatagramChannel owner = socketOn("127.0.0.2")) {
            stranger.send(testPacket(1, 44), port);
            // The owner's packet is queued after the stranger's: once it is answered, the
            // stranger's has been read and judged.
            owner.send(testPacket(2, 44), port);
            assertThat(receive(owner).getInt(StampPacket.SENDER_SEQUENCE)).isEqualTo(2);
            assertThat(session.droppedForeign()).isEqualTo(1);
            assertThat(session.echoedPackets()).isEqualTo(1);
            stranger.socket().setSoTimeout(200);
            try {
                receive(stranger);
                throw new AssertionError("the stranger was answered");
            } catch (SocketTimeoutException expected) {
                // nothing came back
            }
        }
    }

    @ParameterizedTest
    @EnumSource(DataPath.class)
    void aTruncatedTestPacketIsCountedAndNotAnswered(DataPath path) throws Exception {
        UdpEchoEngine.Echo session = start(path, "t-stamp-short", "127.0.0.1");
        InetSocketAddress port = new InetSocketAddress("127.0.0.1", session.port());
        try (DatagramChannel peer = socketOn("127.0.0.1")) {
            peer.send(testPacket(1, 40), port);
            peer.send(testPacket(2, 44), port);
            assertThat(receive(peer).getInt(StampPacket.SENDER_SEQUENCE)).isEqualTo(2);
            assertThat(session.droppedUnanswerable()).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @EnumSource(DataPath.class)
    void anAuthenticatedSessionDropsAndCountsAForgedPacketAndAnswersASignedOne(DataPath path) throws Exception {
        byte[] key = new byte[32];
        for (int i = 0; i < key.length; i++) key[i] = (byte) i;
        UdpEchoEngine.Echo session = start(
                path,
                new EngineRequest(
                        "t-stamp-auth",
                        0,
                        60,
                        InetAddress.getByName("127.0.0.1"),
                        1,
                        false,
                        r -> {},
                        StampHmac.of(key)));
        InetSocketAddress port = new InetSocketAddress("127.0.0.1", session.port());
        byte[] signed = StampGolden.bytes("authenticated-sender");
        byte[] forged = signed.clone();
        forged[20] ^= 0x01; // T1 changed after signing
        try (DatagramChannel peer = socketOn("127.0.0.1")) {
            peer.send(ByteBuffer.wrap(forged), port);
            peer.send(ByteBuffer.wrap(signed), port);
            java.net.DatagramPacket reply = new java.net.DatagramPacket(new byte[2048], 2048);
            peer.socket().receive(reply);
            ByteBuffer r = ByteBuffer.wrap(reply.getData(), 0, reply.getLength());
            assertThat(reply.getLength()).isEqualTo(signed.length);
            assertThat(r.getInt(StampPacket.SEQUENCE))
                    .as("the forged packet was not answered")
                    .isZero();
            assertThat(r.getLong(StampPacket.AUTH_SENDER_TIMESTAMP))
                    .isEqualTo(ByteBuffer.wrap(signed).getLong(16));
            peer.socket().setSoTimeout(300);
            assertThat(org.junit.jupiter.api.Assertions.assertThrows(
                            SocketTimeoutException.class, () -> peer.socket().receive(reply)))
                    .isNotNull();
        }
        assertThat(registry.get(StampEngine.AUTH_FAILURES).functionCounter().count())
                .isEqualTo(1.0);
        session.stop();
        session.completion().get(5, TimeUnit.SECONDS);
        assertThat(session.droppedUnanswerable()).isEqualTo(1);
        assertThat(session.echoedPackets()).isEqualTo(1);
    }
}
