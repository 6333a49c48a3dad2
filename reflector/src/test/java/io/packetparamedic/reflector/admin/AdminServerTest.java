package io.packetparamedic.reflector.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin socket itself: permissions, stale and live sockets, bounded requests. What it does
 * to a live reflector is covered end to end by the CLI serve tests.
 */
class AdminServerTest {

    @TempDir
    Path dir;

    /** Records what the channel asked for and answers with fixed figures. */
    static final class RecordingOperations implements AdminOperations {
        final List<String> calls = new CopyOnWriteArrayList<>();

        @Override
        public AdminProtocol.PairingOpened openPairingWindow(Duration ttl, Optional<String> code) {
            calls.add("pair " + ttl.toSeconds() + " " + code.orElse("-"));
            return new AdminProtocol.PairingOpened(
                    "ID", code.orElse("GENERATD"), Instant.EPOCH.plus(ttl).toString());
        }

        @Override
        public AdminProtocol.LiveFigures liveStatus() {
            calls.add("status");
            return new AdminProtocol.LiveFigures(
                    "ID", 5, 2, 3, new AdminProtocol.OpenWindow("local", "x"), null, 1, 10);
        }

        @Override
        public Optional<AdminProtocol.OpenWindow> closePairingWindow() {
            calls.add("close");
            return Optional.of(new AdminProtocol.OpenWindow("local", "2030-01-01T00:00:00Z"));
        }

        @Override
        public List<AdminProtocol.Peer> peers() {
            calls.add("peers");
            return List.of(new AdminProtocol.Peer("ID1", "lab", "config", null, null, null, 0, 0, 0));
        }

        @Override
        public AdminProtocol.RemovedPeer removePeer(String nameOrId) {
            calls.add("remove " + nameOrId);
            if (nameOrId.equals("lab")) throw new IllegalStateException("peer ID1 is listed in f.toml");
            return new AdminProtocol.RemovedPeer(nameOrId, 1);
        }
    }

    final RecordingOperations ops = new RecordingOperations();

    @Test
    void socketIsOwnerOnlyAndServesPairAndStatus() throws Exception {
        Path socket = dir.resolve("data/admin.sock");
        try (AdminServer server = AdminServer.start(socket, ops)) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)))
                    .isEqualTo("rw-------");
            assertThat(Files.list(socket.getParent())).containsExactly(socket);

            AdminProtocol.Response pair =
                    AdminClient.call(socket, AdminProtocol.Request.pair(600, "ABCD2345"), Duration.ofSeconds(5));
            AdminProtocol.Response status =
                    AdminClient.call(socket, AdminProtocol.Request.status(), Duration.ofSeconds(5));

            assertThat(pair.ok()).isTrue();
            assertThat(pair.pairing().code()).isEqualTo("ABCD2345");
            assertThat(status.status().connections()).isEqualTo(2);
            assertThat(status.status().pairingWindow().window()).isEqualTo("local");
            assertThat(ops.calls).containsExactly("pair 600 ABCD2345", "status");
        }
        assertThat(socket).doesNotExist();
    }

    @Test
    void servesPeersRemovalAndClosingThePairingWindow() throws Exception {
        Path socket = dir.resolve("data/admin.sock");
        try (AdminServer server = AdminServer.start(socket, ops)) {
            Duration t = Duration.ofSeconds(5);
            AdminProtocol.Response peers = AdminClient.call(socket, AdminProtocol.Request.peers(), t);
            AdminProtocol.Response removed = AdminClient.call(socket, AdminProtocol.Request.removePeer("PP-X"), t);
            AdminProtocol.Response refused = AdminClient.call(socket, AdminProtocol.Request.removePeer("lab"), t);
            AdminProtocol.Response closed = AdminClient.call(socket, AdminProtocol.Request.closePairing(), t);
            AdminProtocol.Response noPeer = AdminClient.call(
                    socket, new AdminProtocol.Request(AdminProtocol.OP_REMOVE_PEER, null, null, null), t);

            assertThat(peers.peers()).extracting(AdminProtocol.Peer::name).containsExactly("lab");
            assertThat(removed.removed().connectionsClosed()).isEqualTo(1);
            assertThat(refused.ok()).isFalse();
            assertThat(refused.error()).isEqualTo("peer ID1 is listed in f.toml");
            assertThat(closed.closed().expiresAt()).isEqualTo("2030-01-01T00:00:00Z");
            assertThat(noPeer.error()).isEqualTo("remove_peer needs \"peer\"");
            assertThat(ops.calls).containsExactly("peers", "remove PP-X", "remove lab", "close");
        }
    }

    @Test
    void badRequestsGetAnErrorAndTouchNothing() throws Exception {
        Path socket = dir.resolve("admin.sock");
        try (AdminServer server = AdminServer.start(socket, ops)) {
            assertThat(raw(socket, "not json\n")).contains("\"ok\":false").contains("malformed request");
            assertThat(raw(socket, "{\"op\":\"reboot\"}\n")).contains("unknown op");
            assertThat(raw(socket, "{\"op\":\"pair\",\"ttl_sec\":0}\n")).contains("pairing TTL");
            assertThat(raw(socket, "{\"op\":\"pair\"}\n")).contains("ttl_sec");
            assertThat(raw(
                            socket,
                            "{\"op\":\"status\",\"pad\":\"" + "x".repeat(AdminProtocol.MAX_REQUEST_BYTES) + "\"}\n"))
                    .contains("request too large");
            assertThat(ops.calls).isEmpty();
            // still serving
            assertThat(AdminClient.call(socket, AdminProtocol.Request.status(), Duration.ofSeconds(5))
                            .ok())
                    .isTrue();
        }
    }

    @Test
    void aStaleSocketIsReplacedButALiveOneIsRefused() throws Exception {
        Path socket = dir.resolve("admin.sock");
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(socket));
        }
        assertThat(socket).exists();
        assertThat(AdminClient.isServerRunning(socket)).isFalse();

        try (AdminServer first = AdminServer.start(socket, ops)) {
            assertThat(AdminClient.isServerRunning(socket)).isTrue();
            assertThatThrownBy(() -> AdminServer.start(socket, new RecordingOperations()))
                    .isInstanceOf(AdminChannelException.class)
                    .hasMessageContaining("another reflector is already running");
            // the refused second server did not take the socket away
            assertThat(AdminClient.call(socket, AdminProtocol.Request.status(), Duration.ofSeconds(5))
                            .ok())
                    .isTrue();
        }
    }

    @Test
    void noServerMeansAClearMessage() {
        Path socket = dir.resolve("admin.sock");
        assertThatThrownBy(() -> AdminClient.call(socket, AdminProtocol.Request.status(), Duration.ofSeconds(1)))
                .isInstanceOf(AdminChannelException.class)
                .hasMessage("no running reflector: cannot connect to " + socket);
    }

    @Test
    void aSilentClientIsCutOffAtTheDeadlineAndOthersAreStillServed() throws Exception {
        Path socket = dir.resolve("admin.sock");
        try (AdminServer server = AdminServer.start(socket, ops);
                SocketChannel silent = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            silent.connect(UnixDomainSocketAddress.of(socket));
            assertThat(AdminClient.call(socket, AdminProtocol.Request.status(), Duration.ofSeconds(5))
                            .ok())
                    .isTrue();
            long start = System.nanoTime();
            int read = silent.read(ByteBuffer.allocate(1024)); // blocks until the server cuts it off
            assertThat(read).isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .isLessThan(AdminServer.REQUEST_DEADLINE.plusSeconds(3));
        }
    }

    private static String raw(Path socket, String request) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ByteBuffer out = ByteBuffer.wrap(request.getBytes(StandardCharsets.UTF_8));
            while (out.hasRemaining()) ch.write(out);
            ByteBuffer in = ByteBuffer.allocate(AdminProtocol.MAX_RESPONSE_BYTES);
            while (ch.read(in) >= 0 && in.hasRemaining()) {
                // until the server closes
            }
            return new String(in.array(), 0, in.position(), StandardCharsets.UTF_8);
        }
    }
}
