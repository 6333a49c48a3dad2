package io.packetparamedic.reflector.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What only the native data path does, on real loopback sockets: T2 from the kernel's receive
 * timestamp, the received TTL in the Session-Sender TTL octet, the received DSCP/ECN in the Class
 * of Service TLV and DSCP1 on the answer; plus what it must do as well as Netty (odd datagrams,
 * a prompt stop) and the switch back to Netty.
 */
class NativeDataPathTest {

    private static final int TIMEOUT_MS = 5000;
    /** Timestamp Information (sender's request: all zero) and Class of Service asking DSCP1 46. */
    private static final String TLVS = "00030004" + "00000000" + "00040004" + "b8000000";

    private StampEngine stamp;
    private UdpEchoEngine echo;

    @AfterEach
    void close() {
        if (stamp != null) stamp.close();
        if (echo != null) echo.close();
    }

    private UdpEchoEngine.Echo stampSession(DataPath path, String owner) throws Exception {
        stamp = new StampEngine(() -> 1_000_000L, () -> path.nativePath);
        stamp.bindTo(new SimpleMeterRegistry());
        assertThat(stamp.transport()).isEqualTo(path.expectedTransport());
        return stamp.start(new EngineRequest("t-native", 0, 60, InetAddress.getByName(owner)));
    }

    private static byte[] testPacket(int seq) {
        ByteBuffer b = ByteBuffer.allocate(StampPacket.BASE_LENGTH + TLVS.length() / 2);
        b.putInt(seq).putLong(0xE3B4628D_40000000L).putShort((short) 0x0001).putShort((short) 0x4242);
        b.position(StampPacket.BASE_LENGTH).put(HexFormat.of().parseHex(TLVS));
        return b.array();
    }

    private static String tlvsOf(byte[] reply) {
        return HexFormat.of().formatHex(reply, StampPacket.BASE_LENGTH, reply.length);
    }

    @Test
    void t2IsTheKernelsReceiveTimeBetweenT1AndT4() throws Exception {
        UdpEchoEngine.Echo session = stampSession(DataPath.NATIVE, "127.0.0.1");
        for (int seq = 0; seq < 20; seq++) {
            long t1 = NtpTime.of(Instant.now());
            byte[] reply = MarkedSender.exchange(false, session.port(), testPacket(seq), 64, 0, TIMEOUT_MS, new int[1]);
            long t4 = NtpTime.of(Instant.now());
            assertThat(reply).isNotNull();
            ByteBuffer r = ByteBuffer.wrap(reply);
            long t2 = r.getLong(StampPacket.RECEIVE_TIMESTAMP);
            long t3 = r.getLong(StampPacket.TIMESTAMP);
            // Unsigned order within era 0 (until 2036): T1 <= T2 <= T3 <= T4.
            assertThat(t2).as("T2 after T1").isGreaterThanOrEqualTo(t1);
            assertThat(t3).as("T3 after T2").isGreaterThanOrEqualTo(t2);
            assertThat(t4).as("T4 after T3").isGreaterThanOrEqualTo(t3);
            assertThat(tlvsOf(reply)).startsWith("00030004" + "05020502");
        }
        assertThat(session.echoedPackets()).isEqualTo(20);
    }

    @Test
    void theReceivedTtlIsCopiedIntoTheSessionSenderTtlOctet() throws Exception {
        UdpEchoEngine.Echo session = stampSession(DataPath.NATIVE, "127.0.0.1");
        for (int ttl : new int[] {7, 1, 64, 255}) {
            byte[] reply =
                    MarkedSender.exchange(false, session.port(), testPacket(ttl), ttl, 0, TIMEOUT_MS, new int[1]);
            assertThat(reply).isNotNull();
            assertThat(reply[StampPacket.SENDER_TTL] & 0xff).as("TTL %d", ttl).isEqualTo(ttl);
        }
    }

    @Test
    void theHopLimitIsCopiedOverIpv6() throws Exception {
        assumeTrue(ipv6Loopback(), "no IPv6 loopback");
        UdpEchoEngine.Echo session = stampSession(DataPath.NATIVE, "::1");
        byte[] reply = MarkedSender.exchange(true, session.port(), testPacket(1), 9, 0x28 << 2, TIMEOUT_MS, new int[1]);
        assertThat(reply).isNotNull();
        assertThat(reply[StampPacket.SENDER_TTL] & 0xff).isEqualTo(9);
        // DSCP1 46 kept; DSCP2 0x28 (CS5) as received, ECN 0.
        assertThat(tlvsOf(reply)).endsWith("00040004" + "ba800000");
    }

    @Test
    void theReceivedDscpAndEcnAreReportedAndDscp1MarksTheAnswer() throws Exception {
        UdpEchoEngine.Echo session = stampSession(DataPath.NATIVE, "127.0.0.1");
        int[] replyTos = new int[1];
        int dscp = 10; // AF11
        int ecn = 2; // ECT(0)
        byte[] reply =
                MarkedSender.exchange(false, session.port(), testPacket(3), 64, dscp << 2 | ecn, TIMEOUT_MS, replyTos);
        assertThat(reply).isNotNull();
        // DSCP1 46 | DSCP2 10 | ECN 2 | RP 0 | reserved 0, flags clear.
        assertThat(tlvsOf(reply)).endsWith("00040004" + "b8a80000");
        assertThat(replyTos[0]).as("the answer's TOS: DSCP1, Not-ECT").isEqualTo(46 << 2);
    }

    @Test
    void withTheNativePathSwitchedOffNettyAnswersWithoutWhatItCannotSee() throws Exception {
        DataPath.NATIVE.expectedTransport(); // the sender below is native: skipped where nothing was built
        UdpEchoEngine.Echo session = stampSession(DataPath.NETTY, "127.0.0.1");
        int[] replyTos = new int[1];
        byte[] reply = MarkedSender.exchange(false, session.port(), testPacket(4), 7, 10 << 2, TIMEOUT_MS, replyTos);
        assertThat(reply).isNotNull();
        assertThat(reply[StampPacket.SENDER_TTL] & 0xff).isEqualTo(StampReflection.UNKNOWN_TTL);
        // Class of Service flagged U (unrecognized), its value as sent.
        assertThat(tlvsOf(reply)).isEqualTo("00030004" + "05020502" + "80040004" + "b8000000");
        assertThat(replyTos[0]).as("the socket's default TOS").isZero();
    }

    @Test
    void emptyAndLargestDatagramsAndStrangersAreHandledAndTheLoopGoesOn() throws Exception {
        echo = new UdpEchoEngine(() -> new UdpEchoEngine.Settings(1_000_000, true, true));
        assertThat(echo.transport()).isEqualTo(DataPath.NATIVE.expectedTransport());
        UdpEchoEngine.Echo session =
                echo.start(new EngineRequest("t-native-odd", 0, 60, InetAddress.getByName("127.0.0.2")));
        InetAddress target = InetAddress.getLoopbackAddress();
        try (DatagramSocket owner = new DatagramSocket(new InetSocketAddress("127.0.0.2", 0));
                DatagramSocket stranger = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            owner.setSoTimeout(TIMEOUT_MS);
            owner.setSendBufferSize(1 << 17);
            owner.setReceiveBufferSize(1 << 17);
            stranger.send(new DatagramPacket(new byte[100], 100, target, session.port()));
            owner.send(new DatagramPacket(new byte[0], 0, target, session.port()));
            byte[] largest = new byte[65_507];
            largest[65_506] = 42;
            owner.send(new DatagramPacket(largest, largest.length, target, session.port()));
            DatagramPacket in = new DatagramPacket(new byte[65_536], 65_536);
            owner.receive(in);
            assertThat(in.getLength()).as("the empty datagram got no answer").isEqualTo(65_507);
            assertThat(in.getData()[65_506]).isEqualTo((byte) 42);
            owner.send(new DatagramPacket(new byte[] {1, 2, 3}, 3, target, session.port()));
            owner.receive(in);
            assertThat(in.getLength()).isEqualTo(3);
        }
        assertThat(session.droppedForeign()).isEqualTo(1);
        assertThat(session.echoedPackets()).isEqualTo(2);
        assertThat(session.echoedBytes()).isEqualTo(65_510);
    }

    @Test
    void stopWhileBlockedInRecvmmsgEndsTheThreadAtOnceAndFreesThePort() throws Exception {
        echo = new UdpEchoEngine(() -> new UdpEchoEngine.Settings(1_000_000, true, true));
        assertThat(echo.transport()).isEqualTo(DataPath.NATIVE.expectedTransport());
        UdpEchoEngine.Echo session =
                echo.start(new EngineRequest("t-native-stop", 0, 60, InetAddress.getLoopbackAddress()));
        try (DatagramSocket peer = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            // One exchange: the thread is in its loop, and back in recvmmsg, waiting.
            peer.setSoTimeout(TIMEOUT_MS);
            peer.send(new DatagramPacket(new byte[8], 8, InetAddress.getLoopbackAddress(), session.port()));
            peer.receive(new DatagramPacket(new byte[8], 8));
        }
        long started = System.nanoTime();
        session.stop();
        assertThat(session.completion().get(5, TimeUnit.SECONDS)).isEqualTo(8);
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        // Shutting the socket down wakes recvmmsg; the receive timeout is only the backstop.
        assertThat(tookMillis).isLessThan(NativeEchoSession.RECEIVE_TIMEOUT_MILLIS);
        try (DatagramSocket again = new DatagramSocket(new InetSocketAddress("0.0.0.0", session.port()))) {
            assertThat(again.getLocalPort()).isEqualTo(session.port());
        }
    }

    @Test
    void theLibraryRefusesBuffersTooSmallForTheBatchAndNeverSendsPastASlot() throws Exception {
        DataPath.NATIVE.expectedTransport();
        int fd = NativeUdp.open(false, 0, 1 << 16, 200, true);
        assertThat(fd).as("%s", fd < 0 ? NativeUdp.describe(-fd) : "").isNotNegative();
        try (DatagramSocket peer = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            peer.setSoTimeout(TIMEOUT_MS);
            int slotSize = 64;
            ByteBuffer slots = ByteBuffer.allocateDirect(2 * slotSize);
            ByteBuffer meta =
                    ByteBuffer.allocateDirect(2 * NativeUdp.META_SIZE).order(java.nio.ByteOrder.nativeOrder());
            // Asking for more slots than the buffers hold, or none, is refused before any syscall.
            assertThat(NativeUdp.receive(fd, slots, slotSize, meta, 3, 0)).isNegative();
            assertThat(NativeUdp.receive(fd, slots, slotSize, meta, 0, 0)).isNegative();
            assertThat(NativeUdp.receive(fd, slots, slotSize + 1, meta, 2, 0)).isNegative();

            peer.send(new DatagramPacket(new byte[10], 10, InetAddress.getLoopbackAddress(), NativeUdp.localPort(fd)));
            assertThat(NativeUdp.receive(fd, slots, slotSize, meta, 2, 0)).isEqualTo(1);
            // An answer claimed longer than its slot is skipped: nothing past the slot leaves.
            meta.putInt(NativeUdp.REPLY_LENGTH, slotSize + 1);
            assertThat(NativeUdp.send(fd, slots, slotSize, meta, 1, null)).isZero();
            meta.putInt(NativeUdp.REPLY_LENGTH, 10);
            assertThat(NativeUdp.send(fd, slots, slotSize, meta, 1, null) & 0xFFFF)
                    .isEqualTo(1);
            peer.receive(new DatagramPacket(new byte[16], 16));

            // After shutdown the empty, sourceless read that wakes recvmmsg is not a datagram.
            NativeUdp.shutdown(fd);
            assertThat(NativeUdp.receive(fd, slots, slotSize, meta, 2, 0)).isZero();
        } finally {
            NativeUdp.close(fd);
        }
    }

    @Test
    void busyPollingSpinsForItsWindowThenSleepsAndStillTakesADatagram() throws Exception {
        DataPath.NATIVE.expectedTransport();
        int fd = NativeUdp.open(false, 0, 1 << 16, 200, true);
        assertThat(fd).as("%s", fd < 0 ? NativeUdp.describe(-fd) : "").isNotNegative();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        try (DatagramSocket peer = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            int slotSize = 64;
            ByteBuffer slots = ByteBuffer.allocateDirect(2 * slotSize);
            ByteBuffer meta =
                    ByteBuffer.allocateDirect(2 * NativeUdp.META_SIZE).order(java.nio.ByteOrder.nativeOrder());
            // Nothing arrives: without busy polling the thread sleeps through the 200 ms timeout
            // and uses (almost) no CPU; with 100 ms of polling it burns CPU for as much of that as
            // the scheduler gives it (bounds loose enough for a loaded machine), then sleeps
            // through the rest and returns at the timeout all the same.
            long cpu0 = threads.getCurrentThreadCpuTime();
            assertThat(NativeUdp.receive(fd, slots, slotSize, meta, 2, 0)).isZero();
            long sleeping = threads.getCurrentThreadCpuTime() - cpu0;
            long cpu1 = threads.getCurrentThreadCpuTime();
            long t1 = System.nanoTime();
            assertThat(NativeUdp.receive(fd, slots, slotSize, meta, 2, 100_000)).isZero();
            long polling = threads.getCurrentThreadCpuTime() - cpu1;
            assertThat(Duration.ofNanos(System.nanoTime() - t1)).isGreaterThanOrEqualTo(Duration.ofMillis(190));
            assertThat(sleeping)
                    .as("CPU while sleeping")
                    .isLessThan(Duration.ofMillis(3).toNanos());
            assertThat(polling)
                    .as("CPU while polling")
                    .isGreaterThan(Duration.ofMillis(6).toNanos());

            // A datagram already queued is taken by the first poll.
            peer.send(new DatagramPacket(new byte[10], 10, InetAddress.getLoopbackAddress(), NativeUdp.localPort(fd)));
            peer.send(new DatagramPacket(new byte[12], 12, InetAddress.getLoopbackAddress(), NativeUdp.localPort(fd)));
            int received = NativeUdp.receive(fd, slots, slotSize, meta, 2, 20_000);
            assertThat(received).isBetween(1, 2);
            assertThat(meta.getInt(NativeUdp.LENGTH)).isEqualTo(10);
        } finally {
            NativeUdp.close(fd);
        }
    }

    @Test
    void aLibraryThatIsMissingOrDoesNotLoadIsAReasonNotAFailure() throws Exception {
        assertThat(NativeUdp.loadResource("/native/linux-sparc/libppdata.so"))
                .isEqualTo("no /native/linux-sparc/libppdata.so in the class path (built without gcc?)");
        // A resource that is not a shared object: the linker refuses it, the loader says why.
        assertThat(NativeUdp.loadResource("/stamp/unauthenticated-sender.hex"))
                .startsWith("java.lang.UnsatisfiedLinkError");
        // Whichever happened, nothing is left in the temporary directory.
        try (var left = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            assertThat(left.filter(p -> p.getFileName().toString().startsWith("ppdata")))
                    .noneMatch(p -> Files.exists(p.resolve("libppdata.so")));
        }
    }

    private static boolean ipv6Loopback() throws Exception {
        NetworkInterface lo = NetworkInterface.getByInetAddress(InetAddress.getLoopbackAddress());
        return lo != null && lo.inetAddresses().anyMatch(a -> a instanceof Inet6Address);
    }
}
