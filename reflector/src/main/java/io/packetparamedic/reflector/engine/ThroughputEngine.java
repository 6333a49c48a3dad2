package io.packetparamedic.reflector.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The throughput engine: one {@code iperf3 -s -B 127.0.0.1 -p INTERNAL --one-off -J} per session,
 * reachable only through an {@link Iperf3Relay} on the granted port, which admits the granted
 * peer's one test (its address, its cookie, its streams, direction and protocol) and nothing else.
 * The internal port is one the kernel hands out on loopback; iperf3 never listens on a
 * routable address.
 *
 * <p>{@link #start} returns only once iperf3 listens (see {@link ListeningSockets}) and the relay
 * listens on the granted port, so the grant that follows is never ahead of the server. iperf3
 * exits by itself after its one client; the relay then drains and closes, and the session ends
 * with iperf3's own byte totals (the relay does not count spliced bytes). To stop it early (expiry, close) it gets
 * SIGTERM, on which it still prints its totals so far, and SIGKILL if it has not exited after a
 * short grace. {@link Process#onExit()} observes the exit, and the JDK reaps the child, so no
 * zombie is left. If the reflector itself dies (even by SIGKILL), the kernel kills iperf3 at once
 * ({@link ChildProcesses}: parent-death signal); {@code --idle-timeout} remains the backstop where
 * that is not available.
 */
public final class ThroughputEngine implements DataEngine, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ThroughputEngine.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** iperf3's JSON for a 60 s test with many streams is a few MiB at most; more is discarded. */
    private static final int MAX_OUTPUT_BYTES = 16 << 20;

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration READY_POLL = Duration.ofMillis(5);
    /** iperf3's own idle timeout is a backstop for a reflector that died; the session's expiry comes first. */
    private static final int ORPHAN_MARGIN_SEC = 5;
    /** A kernel-chosen loopback port can be taken again between our probe and iperf3's bind: retry. */
    private static final int BIND_ATTEMPTS = 3;
    /** After iperf3 exits, its last bytes (results, IPERF_DONE) get this long to pass the relay. */
    private static final long RELAY_DRAIN_MS = 2_000;

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private final Supplier<String> iperf3Path;
    private final Duration killGrace;
    private final ExecutorService outputReaders =
            Executors.newCachedThreadPool(new DefaultThreadFactory("iperf3-output", true));
    private final ScheduledExecutorService killer =
            Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("iperf3-killer", true));
    private final boolean epoll = Epoll.isAvailable();
    /** The relays' event loops, apart from the control plane's; each session stays on one loop. */
    private final EventLoopGroup relayLoops;

    public ThroughputEngine(Supplier<String> iperf3Path) {
        this(iperf3Path, Duration.ofMillis(500));
    }

    public ThroughputEngine(Supplier<String> iperf3Path, Duration killGrace) {
        this.iperf3Path = iperf3Path;
        this.killGrace = killGrace;
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.relayLoops = new MultiThreadIoEventLoopGroup(
                Math.min(4, Runtime.getRuntime().availableProcessors()),
                new DefaultThreadFactory("dataplane-relay", true),
                io);
        if (!epoll) {
            LOG.warn("event=dataplane_relay_nio_fallback cause=\"{}\"", String.valueOf(Epoll.unavailabilityCause()));
        }
    }

    /** Whether data streams are spliced in the kernel (epoll) rather than copied (NIO). */
    public boolean splicing() {
        return epoll;
    }

    @Override
    public Iperf3Server start(EngineRequest request) throws EngineException {
        EngineException last = null;
        for (int attempt = 0; attempt < BIND_ATTEMPTS; attempt++) {
            int internal = freeLoopbackPort();
            try {
                Iperf3Server server = startIperf3(request, internal);
                try {
                    server.relay = Iperf3Relay.start(
                            relayLoops.next(), epoll, request, new InetSocketAddress(LOOPBACK, internal));
                } catch (EngineException e) {
                    server.stop();
                    throw e;
                }
                server.watchExit();
                LOG.info(
                        "event=dataplane_relay_listening test_id={} port={} internal_port={} streams={} reverse={} splice={}",
                        request.testId(),
                        request.port(),
                        internal,
                        request.streams(),
                        request.reverse(),
                        epoll);
                return server;
            } catch (PortTaken e) {
                last = e;
            }
        }
        throw last;
    }

    /** iperf3 could not bind its loopback port: someone took it after we probed it. */
    private static final class PortTaken extends EngineException {
        PortTaken(String message) {
            super(message);
        }
    }

    private static int freeLoopbackPort() throws EngineException {
        try (ServerSocket probe = new ServerSocket(0, 1, LOOPBACK)) {
            return probe.getLocalPort();
        } catch (IOException e) {
            throw new EngineException("no free loopback port for iperf3: " + e.getMessage(), e);
        }
    }

    private Iperf3Server startIperf3(EngineRequest request, int internalPort) throws EngineException {
        String path = iperf3Path.get();
        List<String> command = new ArrayList<>(List.of(
                path,
                "-s",
                "-B",
                LOOPBACK.getHostAddress(),
                "-p",
                Integer.toString(internalPort),
                "--one-off",
                "-J",
                "--idle-timeout",
                Integer.toString(Math.max(1, request.lifetimeSec()) + ORPHAN_MARGIN_SEC)));
        Process process;
        try {
            process = ChildProcesses.start(command);
            process.getOutputStream().close();
        } catch (IOException e) {
            throw new EngineException("iperf3 is not available at '" + path + "': " + e.getMessage(), e);
        }
        CompletableFuture<byte[]> output = new CompletableFuture<>();
        outputReaders.execute(() -> readBounded(process.getInputStream(), output));
        Iperf3Server server = new Iperf3Server(process, output, request);
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        try {
            // There is no event for "listen() was called" other than iperf3's own output, which -J
            // withholds until the end, so this polls /proc for at most READY_TIMEOUT.
            while (!ListeningSockets.isListening(process.pid(), internalPort)) {
                if (!process.isAlive()) {
                    String why = errorOf(output.get(2, TimeUnit.SECONDS));
                    String message = "iperf3 exited before listening on port " + internalPort + " (exit "
                            + process.exitValue() + (why == null ? "" : ": " + why) + ")";
                    if (why != null && why.contains("in use")) throw new PortTaken(message);
                    throw new EngineException(message);
                }
                if (System.nanoTime() > deadline) {
                    server.stop();
                    throw new EngineException("iperf3 did not listen on port " + internalPort + " within "
                            + READY_TIMEOUT.toSeconds() + " s");
                }
                Thread.sleep(READY_POLL.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.stop();
            throw new EngineException("interrupted while starting iperf3");
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new EngineException("iperf3 exited before listening on port " + internalPort);
        }
        LOG.info(
                "event=iperf3_listening test_id={} internal_port={} pid={}",
                request.testId(),
                internalPort,
                process.pid());
        return server;
    }

    /** The bytes iperf3 reports: the larger of what it sent and received (one side is ~0). */
    static long bytesFrom(byte[] json) {
        try {
            JsonNode end = JSON.readTree(json).path("end");
            long bytes = 0;
            for (String sum : List.of("sum_sent", "sum_received", "sum")) {
                bytes = Math.max(bytes, end.path(sum).path("bytes").asLong(0));
            }
            return bytes;
        } catch (IOException e) {
            return -1;
        }
    }

    static String errorOf(byte[] json) {
        try {
            JsonNode error = JSON.readTree(json).get("error");
            return error == null ? null : error.asText();
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * The larger of the bytes a process has read and written through system calls, from
     * {@code /proc/PID/io} (iperf3 moves test data with read/write, not sendfile, unless -Z);
     * -1 when unreadable.
     */
    static long ioBytes(long pid) {
        try {
            long rchar = -1;
            long wchar = -1;
            for (String line :
                    java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc", Long.toString(pid), "io"))) {
                if (line.startsWith("rchar:"))
                    rchar = Long.parseLong(line.substring(6).trim());
                else if (line.startsWith("wchar:"))
                    wchar = Long.parseLong(line.substring(6).trim());
            }
            return Math.max(rchar, wchar);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static void readBounded(InputStream in, CompletableFuture<byte[]> result) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(16 * 1024);
        byte[] chunk = new byte[16 * 1024];
        try (in) {
            int n;
            while ((n = in.read(chunk)) >= 0) {
                if (buffer.size() + n <= MAX_OUTPUT_BYTES) buffer.write(chunk, 0, n);
            }
        } catch (IOException e) {
            // the pipe closes when the process dies; what was read so far stands
        }
        result.complete(buffer.toByteArray());
    }

    @Override
    public void close() {
        killer.shutdownNow();
        outputReaders.shutdownNow();
        relayLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    /** One running iperf3 server and the relay in front of it. */
    public final class Iperf3Server implements RunningEngine {
        private final Process process;
        private final CompletableFuture<Long> totals;
        private final CompletableFuture<Long> completion = new CompletableFuture<>();
        private final AtomicBoolean stopping = new AtomicBoolean();
        private volatile long bytesAtStop = -1;
        private volatile Iperf3Relay relay;

        Iperf3Server(Process process, CompletableFuture<byte[]> output, EngineRequest request) {
            this.process = process;
            this.totals = process.onExit().thenCombine(output, (p, json) -> {
                long bytes = bytesFrom(json);
                long sampled = bytesAtStop;
                if (bytes <= 0 && sampled > 0) {
                    // Stopped mid-test, iperf3 sometimes exits without totals; its own I/O counters,
                    // read just before the signal, stand in so a stopped test still counts.
                    LOG.info("event=iperf3_totals_from_proc test_id={} bytes={}", request.testId(), sampled);
                    bytes = sampled;
                }
                if (bytes < 0) {
                    Iperf3Relay r = relay;
                    if (r != null && r.testRefused()) {
                        // Expected: the relay closed the control connection before iperf3 saw a test.
                        LOG.info("event=iperf3_no_totals test_id={} why=test_refused", request.testId());
                    } else {
                        LOG.warn("event=iperf3_output_unreadable test_id={} exit={}", request.testId(), p.exitValue());
                    }
                    bytes = 0;
                }
                LOG.info(
                        "event=iperf3_exited test_id={} port={} pid={} exit={} bytes={}",
                        request.testId(),
                        request.port(),
                        p.pid(),
                        p.exitValue(),
                        bytes);
                return bytes;
            });
        }

        /**
         * Once iperf3 has exited, the relay drains and closes; the session completes only then, so
         * the granted port is free again when its release is announced.
         */
        void watchExit() {
            totals.whenComplete((bytes, error) -> {
                Iperf3Relay r = relay;
                r.shutdown(RELAY_DRAIN_MS);
                r.closed().whenComplete((v, e) -> completion.complete(bytes == null ? 0L : bytes));
            });
        }

        /** Connections the relay has refused so far. */
        public long refusedConnections() {
            Iperf3Relay r = relay;
            return r == null ? 0 : r.refusals();
        }

        public long pid() {
            return process.pid();
        }

        public ProcessHandle handle() {
            return process.toHandle();
        }

        @Override
        public CompletableFuture<Long> completion() {
            return completion;
        }

        @Override
        public void stop() {
            if (!process.isAlive() || !stopping.compareAndSet(false, true)) return;
            bytesAtStop = ioBytes(process.pid());
            process.destroy(); // SIGTERM: iperf3 prints its totals and exits
            try {
                killer.schedule(
                        () -> {
                            if (process.isAlive()) {
                                LOG.warn("event=iperf3_sigkill pid={}", process.pid());
                                process.destroyForcibly();
                            }
                        },
                        killGrace.toMillis(),
                        TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                process.destroyForcibly(); // shutting down: no time for a grace period
            }
        }
    }
}
