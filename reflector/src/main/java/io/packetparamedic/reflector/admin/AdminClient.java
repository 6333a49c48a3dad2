package io.packetparamedic.reflector.admin;

import io.packetparamedic.api.config.ReflectorConfig;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;

/** Talks to a running reflector's {@link AdminServer}: one request, one response, with a deadline. */
public final class AdminClient {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private AdminClient() {}

    /** Where the server for {@code config} keeps its admin socket. */
    public static Path socketPath(ReflectorConfig config) {
        return config.dataDir().resolve(AdminServer.SOCKET_NAME);
    }

    /** Whether a server accepts connections on {@code socket}. */
    public static boolean isServerRunning(Path socket) {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /**
     * Sends {@code request} and returns the server's answer (which may be a failure response).
     *
     * @throws AdminChannelException when no server listens on {@code socket}, or it does not answer in time
     */
    public static AdminProtocol.Response call(Path socket, AdminProtocol.Request request, Duration timeout) {
        SocketChannel ch;
        try {
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        } catch (IOException e) {
            throw new AdminChannelException("cannot open a Unix domain socket: " + e.getMessage());
        }
        try (ch) {
            try {
                ch.connect(UnixDomainSocketAddress.of(socket));
            } catch (IOException e) {
                throw new AdminChannelException("no running reflector: cannot connect to " + socket);
            }
            ByteBuffer out = ByteBuffer.wrap(AdminProtocol.encodeLine(request));
            while (out.hasRemaining()) ch.write(out);
            byte[] line = readLine(ch, timeout);
            try {
                return AdminProtocol.decode(line, line.length, AdminProtocol.Response.class);
            } catch (IOException e) {
                throw new AdminChannelException("the reflector at " + socket + " answered something unreadable");
            }
        } catch (IOException e) {
            throw new AdminChannelException(
                    "lost the connection to the reflector at " + socket + ": " + e.getMessage());
        }
    }

    private static byte[] readLine(SocketChannel ch, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        ByteBuffer in = ByteBuffer.allocate(AdminProtocol.MAX_RESPONSE_BYTES);
        ch.configureBlocking(false);
        try (Selector selector = Selector.open()) {
            ch.register(selector, SelectionKey.OP_READ);
            while (true) {
                long remainingMs = (deadline - System.nanoTime()) / 1_000_000;
                if (remainingMs <= 0)
                    throw new AdminChannelException("the reflector did not answer within " + timeout.toSeconds() + "s");
                selector.select(remainingMs);
                selector.selectedKeys().clear();
                int start = in.position();
                int n = ch.read(in);
                for (int i = start; i < in.position(); i++) {
                    if (in.get(i) == '\n') {
                        byte[] line = new byte[i];
                        in.get(0, line);
                        return line;
                    }
                }
                if (n < 0)
                    throw new AdminChannelException("the reflector closed the admin connection without answering");
                if (!in.hasRemaining()) throw new AdminChannelException("the reflector's answer is too large");
            }
        }
    }
}
