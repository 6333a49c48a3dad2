package io.packetparamedic.reflector.admin;

import io.netty.util.concurrent.DefaultThreadFactory;
import io.packetparamedic.api.config.Durations;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local admin channel of a running reflector: a Unix domain socket (mode 0600) in the data
 * directory through which {@code reflector pair}, {@code status} and {@code peers} act on the live
 * server.
 *
 * <p>The socket is bound inside a fresh 0700 directory, restricted to 0600 and only then renamed
 * into place, so there is no moment at which another user could connect. Connections are also
 * checked by peer credentials: only this process's user and root are served. Each connection
 * carries one bounded request and gets one response; a client that does not send its line within
 * {@link #REQUEST_DEADLINE} is cut off, and at most a few connections are handled at once.
 */
public final class AdminServer implements AutoCloseable {

    public static final String SOCKET_NAME = "admin.sock";
    static final Duration REQUEST_DEADLINE = Duration.ofSeconds(5);
    static final Duration MAX_PAIRING_TTL = Duration.ofDays(7);
    private static final int WORKERS = 2;
    private static final int BACKLOG = 8;
    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);

    private final Path socket;
    private final Object socketFileKey;
    private final AdminOperations operations;
    private final ServerSocketChannel server;
    private final ThreadPoolExecutor workers;
    private final ScheduledExecutorService deadlines;
    private final Thread acceptor;
    private final String ownUser = System.getProperty("user.name");
    private volatile boolean closed;

    private AdminServer(Path socket, Object socketFileKey, ServerSocketChannel server, AdminOperations operations) {
        this.socket = socket;
        this.socketFileKey = socketFileKey;
        this.server = server;
        this.operations = operations;
        this.workers = new ThreadPoolExecutor(
                WORKERS,
                WORKERS,
                0,
                TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(BACKLOG),
                new DefaultThreadFactory("admin-worker", true));
        this.deadlines = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("admin-deadline", true));
        this.acceptor = new DefaultThreadFactory("admin-accept", true).newThread(this::acceptLoop);
    }

    /**
     * Binds {@code socket} and starts serving. A stale socket left by a dead server is removed;
     * a live one means another reflector runs on this data directory, which is refused.
     */
    public static AdminServer start(Path socket, AdminOperations operations) {
        Objects.requireNonNull(operations, "operations");
        Path target = socket.toAbsolutePath();
        Path dir = target.getParent();
        Path staging = null;
        ServerSocketChannel server = null;
        try {
            Files.createDirectories(dir);
            if (Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                if (AdminClient.isServerRunning(target)) {
                    throw new AdminChannelException("another reflector is already running on this data directory "
                            + "(its admin socket " + target + " answers)");
                }
                Files.delete(target);
                LOG.info("event=admin_stale_socket_removed path={}", target);
            }
            staging = Files.createTempDirectory(
                    dir, ".admin-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Path staged = staging.resolve(SOCKET_NAME);
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(staged), BACKLOG);
            Files.setPosixFilePermissions(staged, PosixFilePermissions.fromString("rw-------"));
            Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE);
            Object key = Files.readAttributes(
                            target, BasicFileAttributes.class, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                    .fileKey();
            AdminServer admin = new AdminServer(target, key, server, operations);
            admin.acceptor.start();
            LOG.info("event=admin_listening path={}", target);
            return admin;
        } catch (IOException e) {
            closeQuietly(server);
            throw new AdminChannelException("cannot open the admin socket " + target + ": " + e.getMessage());
        } catch (RuntimeException e) {
            closeQuietly(server);
            throw e;
        } finally {
            if (staging != null) {
                try {
                    Files.deleteIfExists(staging.resolve(SOCKET_NAME));
                    Files.deleteIfExists(staging);
                } catch (IOException ignored) {
                    // an empty hidden directory is all that can be left behind
                }
            }
        }
    }

    public Path socketPath() {
        return socket;
    }

    private void acceptLoop() {
        while (!closed) {
            SocketChannel client;
            try {
                client = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!closed) LOG.warn("event=admin_accept_failed error=\"{}\"", e.getMessage());
                continue;
            }
            try {
                workers.execute(() -> serve(client));
            } catch (RejectedExecutionException busy) {
                LOG.warn("event=admin_busy action=connection_dropped");
                closeQuietly(client);
            }
        }
    }

    private void serve(SocketChannel client) {
        ScheduledFuture<?> cutOff =
                deadlines.schedule(() -> closeQuietly(client), REQUEST_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        try (client) {
            if (!authorized(client)) {
                write(client, AdminProtocol.Response.failure("not allowed: the admin socket serves only its owner"));
                return;
            }
            AdminProtocol.Response response = readRequest(client)
                    .map(this::handle)
                    .orElseGet(() -> AdminProtocol.Response.failure("request too large or incomplete (at most "
                            + AdminProtocol.MAX_REQUEST_BYTES + " bytes, ending in a newline)"));
            write(client, response);
            client.shutdownOutput();
            drainBounded(client);
        } catch (IOException e) {
            // the client went away or missed the deadline; nothing to answer
            LOG.debug("event=admin_connection_ended error=\"{}\"", e.getMessage());
        } finally {
            cutOff.cancel(false);
        }
    }

    private boolean authorized(SocketChannel client) throws IOException {
        UnixDomainPrincipal peer = client.getOption(ExtendedSocketOptions.SO_PEERCRED);
        String user = peer.user().getName();
        boolean allowed = user.equals(ownUser) || user.equals("root");
        if (!allowed) LOG.warn("event=admin_denied user={}", user);
        return allowed;
    }

    /** Reads one line of at most MAX_REQUEST_BYTES; empty when it is longer or the peer stopped short. */
    private static Optional<byte[]> readRequest(SocketChannel client) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(AdminProtocol.MAX_REQUEST_BYTES + 1);
        while (buf.hasRemaining()) {
            int start = buf.position();
            if (client.read(buf) < 0) return Optional.empty();
            for (int i = start; i < buf.position(); i++) {
                if (buf.get(i) == '\n') {
                    byte[] line = new byte[i];
                    buf.get(0, line);
                    return Optional.of(line);
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Reads what the client still sends (an oversized request's rest) up to a bound, so that the
     * close does not reset the connection before the client has read our answer.
     */
    private static void drainBounded(SocketChannel client) throws IOException {
        ByteBuffer sink = ByteBuffer.allocate(4096);
        long left = 16L * AdminProtocol.MAX_REQUEST_BYTES;
        int n;
        while (left > 0 && (n = client.read(sink.clear())) >= 0) left -= n;
    }

    private AdminProtocol.Response handle(byte[] line) {
        AdminProtocol.Request request;
        try {
            request = AdminProtocol.decode(line, line.length, AdminProtocol.Request.class);
        } catch (IOException e) {
            return AdminProtocol.Response.failure("malformed request: expected one JSON object");
        }
        if (request == null || request.op() == null) return AdminProtocol.Response.failure("missing \"op\"");
        try {
            switch (request.op()) {
                case AdminProtocol.OP_PAIR -> {
                    Duration ttl = pairingTtl(request.ttlSec());
                    AdminProtocol.PairingOpened opened =
                            operations.openPairingWindow(ttl, Optional.ofNullable(request.code()));
                    LOG.info(
                            "event=admin_pairing_opened ttl={} expires_at={}",
                            Durations.format(ttl),
                            opened.expiresAt());
                    return AdminProtocol.Response.of(opened);
                }
                case AdminProtocol.OP_STATUS -> {
                    return AdminProtocol.Response.of(operations.liveStatus());
                }
                case AdminProtocol.OP_CLOSE_PAIRING -> {
                    return AdminProtocol.Response.closed(
                            operations.closePairingWindow().orElse(null));
                }
                case AdminProtocol.OP_PEERS -> {
                    return AdminProtocol.Response.of(operations.peers());
                }
                case AdminProtocol.OP_REMOVE_PEER -> {
                    if (request.peer() == null) throw new IllegalArgumentException("remove_peer needs \"peer\"");
                    return AdminProtocol.Response.of(operations.removePeer(request.peer()));
                }
                default -> {
                    return AdminProtocol.Response.failure("unknown op \"" + abbreviate(request.op()) + "\"");
                }
            }
        } catch (IllegalArgumentException | IllegalStateException e) {
            return AdminProtocol.Response.failure(e.getMessage());
        } catch (IOException e) {
            LOG.error("event=admin_request_failed op={} error=\"{}\"", request.op(), e.getMessage());
            return AdminProtocol.Response.failure("the server could not do that: " + e.getMessage());
        } catch (RuntimeException e) {
            LOG.error(
                    "event=admin_request_failed op={} error=\"{}: {}\"",
                    request.op(),
                    e.getClass().getSimpleName(),
                    e.getMessage());
            return AdminProtocol.Response.failure("the server could not do that: " + e.getMessage());
        }
    }

    static Duration pairingTtl(Long ttlSec) {
        if (ttlSec == null) throw new IllegalArgumentException("pair needs \"ttl_sec\"");
        if (ttlSec < 1 || ttlSec > MAX_PAIRING_TTL.toSeconds()) {
            throw new IllegalArgumentException(
                    "pairing TTL must be between 1s and " + Durations.format(MAX_PAIRING_TTL));
        }
        return Duration.ofSeconds(ttlSec);
    }

    private static String abbreviate(String s) {
        return s.length() <= 32 ? s : s.substring(0, 32) + "…";
    }

    private static void write(SocketChannel client, AdminProtocol.Response response) throws IOException {
        ByteBuffer out = ByteBuffer.wrap(AdminProtocol.encodeLine(response));
        while (out.hasRemaining()) client.write(out);
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        closeQuietly(server);
        workers.shutdownNow();
        deadlines.shutdownNow();
        try {
            acceptor.join(TimeUnit.SECONDS.toMillis(2));
            Object key = Files.readAttributes(
                            socket, BasicFileAttributes.class, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                    .fileKey();
            // Only remove the socket if it is still ours, not one a newer server put there.
            if (Objects.equals(key, socketFileKey)) Files.deleteIfExists(socket);
        } catch (IOException e) {
            LOG.debug("event=admin_socket_cleanup error=\"{}\"", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.info("event=admin_closed path={}", socket);
    }

    private static void closeQuietly(java.nio.channels.Channel channel) {
        if (channel == null) return;
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing is best effort
        }
    }
}
