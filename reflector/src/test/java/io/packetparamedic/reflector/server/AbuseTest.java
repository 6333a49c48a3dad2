package io.packetparamedic.reflector.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.reflector.client.LinkClient;
import io.packetparamedic.reflector.wire.FrameLimits;
import io.packetparamedic.reflector.wire.Payload;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 2 item 6: what a hostile or broken peer can do to the control server. */
class AbuseTest {

    @TempDir
    Path dir;

    private final Ed25519Identity appliance = Ed25519Identity.generate();
    private TestReflector server;

    @BeforeEach
    void start() throws IOException {
        server = TestReflector.start(dir, c -> {
            c.access.authorizedPeers.add(appliance.endpointId().toString());
            c.network.handshakeTimeoutSec = 20;
        });
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static byte[] lengthPrefix(long length) {
        return ByteBuffer.allocate(4).putInt((int) length).array();
    }

    private void assertServerStillServes() throws IOException {
        try (LinkClient c = server.connect(appliance)) {
            assertThat(c.hello().version()).isEqualTo("1.0");
        }
    }

    @Test
    void announcedLengthOf2Pow31ClosesTheConnection() throws Exception {
        try (LinkClient c = server.connect(appliance)) {
            c.sendRawBytes(lengthPrefix(1L << 31));
            assertThat(c.awaitClosedByServer()).isTrue();
        }
        assertServerStillServes();
    }

    @Test
    void announcedLengthOfOneMebibytePlusOneClosesTheConnection() throws Exception {
        try (LinkClient c = server.connect(appliance)) {
            assertThat(c.hello()).isNotNull();
            c.sendRawBytes(lengthPrefix(FrameLimits.MAX_FRAME_BYTES + 1L));
            c.sendRawBytes(new byte[1024]);
            assertThat(c.awaitClosedByServer()).isTrue();
        }
        assertServerStillServes();
    }

    @Test
    void aFrameOfExactlyTheMaximumIsReadAndAnswered() throws Exception {
        try (LinkClient c = server.connect(appliance)) {
            // The 1 MiB limit applies once an authorized peer has said hello (16 KiB before).
            assertThat(c.hello()).isNotNull();
            byte[] big = new byte[FrameLimits.MAX_FRAME_BYTES];
            java.util.Arrays.fill(big, (byte) ' ');
            byte[] json = "{\"request_id\":\"big\",\"payload\":{\"type\":\"get_status\"}}".getBytes();
            System.arraycopy(json, 0, big, 0, json.length);
            c.sendRawFrame(big);
            assertThat(c.receive().payload()).isInstanceOf(Payload.StatusSnapshot.class);
        }
    }

    @Test
    void truncatedFrameThenEofClosesCleanly() throws Exception {
        try (LinkClient c = server.connect(appliance)) {
            c.sendRawBytes(lengthPrefix(200));
            c.sendRawBytes("{\"request_id\":".getBytes());
        }
        assertServerStillServes();
        // The half frame was never answered and nothing went wrong on the server: one accepted line per connection.
        assertThat(server.auditLines())
                .filteredOn(TestReflector.event("connection_accepted"))
                .hasSize(2);
    }

    @Test
    void connectionsThatNeverFinishTheHandshakeDoNotStopARealPeer() throws Exception {
        List<Socket> stalled = new ArrayList<>();
        int perSource = server.config.network.maxUnauthenticatedPerSource;
        try {
            InetSocketAddress address = server.reflector.controlAddress();
            // As many as one address may have in the handshake at once, from another loopback address.
            for (int i = 0; i < perSource; i++) {
                Socket s = new Socket();
                s.bind(new InetSocketAddress("127.0.0.3", 0));
                s.connect(address, 2000);
                // Half a TLS record header, then silence (a slowloris).
                s.getOutputStream().write(new byte[] {0x16, 0x03});
                s.getOutputStream().flush();
                stalled.add(s);
            }
            long started = System.nanoTime();
            assertServerStillServes();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
            // None of the stalled ones was dropped to make room.
            assertThat(server.reflector.metrics().connectionsRefused(PreAuthRefusals.SOURCE_LIMIT))
                    .isZero();
            assertThat(server.reflector.metrics().connectionsRefused(PreAuthRefusals.UNAUTHENTICATED_LIMIT))
                    .isZero();
        } finally {
            for (Socket s : stalled) s.close();
        }
    }

    @Test
    void idleConnectionIsClosedAfterTheIdleTimeout() throws Exception {
        try (TestReflector idle = TestReflector.start(dir.resolve("idle"), c -> {
                    c.access.authorizedPeers.add(appliance.endpointId().toString());
                    c.network.idleTimeoutSec = 2;
                });
                LinkClient c = LinkClient.connect(
                        idle.reflector.controlAddress(),
                        appliance,
                        LinkClient.Options.defaults().withReadTimeout(Duration.ofSeconds(15)))) {
            assertThat(c.hello()).isNotNull();
            long started = System.nanoTime();
            assertThat(c.awaitClosedByServer()).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - started))
                    .isGreaterThan(Duration.ofMillis(1000))
                    .isLessThan(Duration.ofSeconds(12));
        }
    }

    @Test
    void plainTextOnTheTlsPortIsRefused() throws Exception {
        try (Socket s = new Socket()) {
            s.connect(server.reflector.controlAddress(), 2000);
            s.setSoTimeout(5000);
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes());
            InputStream in = s.getInputStream();
            byte[] buf = new byte[1024];
            boolean closed;
            try {
                while (in.read(buf) >= 0) {
                    // the server may send an alert before closing
                }
                closed = true;
            } catch (SocketTimeoutException e) {
                closed = false;
            } catch (IOException reset) {
                closed = true;
            }
            assertThat(closed).isTrue();
        }
        assertThat(server.awaitAudit(TestReflector.event("connection_denied"))
                        .path("reason")
                        .asText())
                .startsWith("TLS handshake failed");
        assertServerStillServes();
    }

    private static boolean closedWithin(Socket s, Duration timeout) throws IOException {
        s.setSoTimeout((int) timeout.toMillis());
        try {
            InputStream in = s.getInputStream();
            byte[] buf = new byte[256];
            while (in.read(buf) >= 0) {
                // an alert may come first
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    @Test
    void handshakeNotFinishedWithinTheTimeoutIsDropped() throws Exception {
        try (TestReflector slow = TestReflector.start(dir.resolve("hs"), c -> c.network.handshakeTimeoutSec = 1);
                Socket s = new Socket()) {
            s.connect(slow.reflector.controlAddress(), 2000);
            assertThat(closedWithin(s, Duration.ofSeconds(10))).isTrue();
            assertThat(slow.awaitAudit(TestReflector.event("connection_denied"))
                            .path("reason")
                            .asText())
                    .isEqualTo("TLS handshake failed: timeout");
        }
    }

    @Test
    void connectionsBeyondTheLimitAreRefusedBeforeTls() throws Exception {
        try (TestReflector limited = TestReflector.start(dir.resolve("limit"), c -> {
                    c.access.authorizedPeers.add(appliance.endpointId().toString());
                    c.network.maxConnections = 2;
                });
                LinkClient first = limited.connect(appliance);
                LinkClient second = limited.connect(appliance);
                Socket third = new Socket()) {
            assertThat(first.hello()).isNotNull();
            third.connect(limited.reflector.controlAddress(), 2000);
            assertThat(closedWithin(third, Duration.ofSeconds(10))).isTrue();
            assertThat(limited.awaitAudit(TestReflector.event("connection_denied"))
                            .path("reason")
                            .asText())
                    .isEqualTo("connection limit reached");
            assertThat(second.hello()).isNotNull();
        }
    }
}
