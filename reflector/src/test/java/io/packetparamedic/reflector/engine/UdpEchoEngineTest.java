package io.packetparamedic.reflector.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The echo engine's receive path on both transports (recvmmsg into maximal slots, natively or
 * through Netty epoll): every size up to the largest UDP payload comes back whole, and bursts
 * larger than one batch of slots are all answered, byte for byte.
 */
class UdpEchoEngineTest {

    /** Largest UDP payload over IPv4. */
    private static final int MAX_IPV4_PAYLOAD = 65_507;

    private UdpEchoEngine engine;

    @AfterEach
    void close() {
        if (engine != null) engine.close();
    }

    private UdpEchoEngine.Echo start(DataPath path) throws EngineException {
        engine = new UdpEchoEngine(() -> new UdpEchoEngine.Settings(1_000_000, true, path.nativePath));
        assertThat(engine.transport()).isEqualTo(path.expectedTransport());
        return engine.start(new EngineRequest("t-engine", 0, 60, InetAddress.getLoopbackAddress()));
    }

    @ParameterizedTest
    @EnumSource(DataPath.class)
    void datagramsOfEverySizeUpToTheLargestComeBackWhole(DataPath path) throws Exception {
        UdpEchoEngine.Echo echo = start(path);
        int[] sizes = {1, 64, 1200, 1472, 2048, 2049, 9000, 65_000, MAX_IPV4_PAYLOAD};
        long expectedBytes = 0;
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            socket.setSoTimeout(5000);
            socket.setSendBufferSize(1 << 20);
            socket.setReceiveBufferSize(1 << 20);
            Random random = new Random(11);
            for (int size : sizes) {
                byte[] sent = new byte[size];
                random.nextBytes(sent);
                socket.send(new DatagramPacket(sent, size, InetAddress.getLoopbackAddress(), echo.port()));
                // A receive buffer one byte larger than the largest datagram shows any extra byte.
                DatagramPacket reply = new DatagramPacket(new byte[MAX_IPV4_PAYLOAD + 1], MAX_IPV4_PAYLOAD + 1);
                socket.receive(reply);
                assertThat(reply.getLength()).as("size %d", size).isEqualTo(size);
                assertThat(Arrays.copyOf(reply.getData(), reply.getLength()))
                        .as("size %d", size)
                        .isEqualTo(sent);
                expectedBytes += size;
            }
        }
        assertThat(echo.echoedPackets()).isEqualTo(sizes.length);
        assertThat(echo.echoedBytes()).isEqualTo(expectedBytes);
        echo.stop();
        assertThat(echo.completion().get(5, TimeUnit.SECONDS)).isEqualTo(expectedBytes);
    }

    @ParameterizedTest
    @EnumSource(DataPath.class)
    void aBurstLargerThanOneBatchOfSlotsIsEchoedInFull(DataPath path) throws Exception {
        UdpEchoEngine.Echo echo = start(path);
        int count = 3 * UdpEchoEngine.RECV_SLOTS + 7;
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            socket.setSoTimeout(5000);
            socket.setReceiveBufferSize(4 << 20);
            byte[][] sent = new byte[count][];
            Random random = new Random(5);
            for (int i = 0; i < count; i++) {
                // Mixed sizes, the first four bytes number the datagram.
                sent[i] = new byte[4 + random.nextInt(i % 5 == 0 ? 8000 : 300)];
                random.nextBytes(sent[i]);
                sent[i][0] = (byte) (i >>> 24);
                sent[i][1] = (byte) (i >>> 16);
                sent[i][2] = (byte) (i >>> 8);
                sent[i][3] = (byte) i;
                socket.send(new DatagramPacket(sent[i], sent[i].length, InetAddress.getLoopbackAddress(), echo.port()));
            }
            boolean[] seen = new boolean[count];
            for (int n = 0; n < count; n++) {
                DatagramPacket reply = new DatagramPacket(new byte[9000], 9000);
                socket.receive(reply);
                byte[] got = Arrays.copyOf(reply.getData(), reply.getLength());
                int i = ((got[0] & 0xff) << 24) | ((got[1] & 0xff) << 16) | ((got[2] & 0xff) << 8) | (got[3] & 0xff);
                assertThat(i).isBetween(0, count - 1);
                assertThat(seen[i]).as("echo %d twice", i).isFalse();
                seen[i] = true;
                assertThat(got).as("echo %d", i).isEqualTo(sent[i]);
            }
        }
        assertThat(echo.echoedPackets()).isEqualTo(count);
        echo.stop();
        echo.completion().get(5, TimeUnit.SECONDS);
    }
}
