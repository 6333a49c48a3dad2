package io.packetparamedic.reflector.engine;

import io.netty.util.concurrent.DefaultThreadFactory;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
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
 * The throughput engine: one {@code iperf3 -s -p PORT --one-off -J} per session.
 *
 * <p>{@link #start} returns only once iperf3 listens (see {@link ListeningSockets}), so the grant
 * that follows is never ahead of the server. iperf3 exits by itself after its one client; the
 * session then ends with iperf3's own byte totals. To stop it early (expiry, close) it gets
 * SIGTERM, on which it still prints its totals so far, and SIGKILL if it has not exited after a
 * short grace. {@link Process#onExit()} observes the exit, and the JDK reaps the child, so no
 * zombie is left. {@code --idle-timeout} makes an iperf3 whose reflector died before it could
 * stop it exit by itself instead of listening forever.
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

    private final Supplier<String> iperf3Path;
    private final Duration killGrace;
    private final ExecutorService outputReaders = Executors.newCachedThreadPool(new DefaultThreadFactory("iperf3-output", true));
    private final ScheduledExecutorService killer = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("iperf3-killer", true));

    public ThroughputEngine(Supplier<String> iperf3Path) {
        this(iperf3Path, Duration.ofMillis(500));
    }

    public ThroughputEngine(Supplier<String> iperf3Path, Duration killGrace) {
        this.iperf3Path = iperf3Path;
        this.killGrace = killGrace;
    }

    @Override
    public Iperf3Server start(EngineRequest request) throws EngineException {
        String path = iperf3Path.get();
        List<String> command = new ArrayList<>(List.of(path, "-s", "-p", Integer.toString(request.port()),
                "--one-off", "-J", "--idle-timeout", Integer.toString(Math.max(1, request.lifetimeSec()) + ORPHAN_MARGIN_SEC)));
        Process process;
        try {
            process = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.PIPE)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
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
            while (!ListeningSockets.isListening(process.pid(), request.port())) {
                if (!process.isAlive()) {
                    String why = errorOf(output.get(2, TimeUnit.SECONDS));
                    throw new EngineException("iperf3 exited before listening on port " + request.port()
                            + " (exit " + process.exitValue() + (why == null ? "" : ": " + why) + ")");
                }
                if (System.nanoTime() > deadline) {
                    server.stop();
                    throw new EngineException("iperf3 did not listen on port " + request.port() + " within "
                            + READY_TIMEOUT.toSeconds() + " s");
                }
                Thread.sleep(READY_POLL.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.stop();
            throw new EngineException("interrupted while starting iperf3");
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new EngineException("iperf3 exited before listening on port " + request.port());
        }
        LOG.info("event=iperf3_listening test_id={} port={} pid={}", request.testId(), request.port(), process.pid());
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
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc", Long.toString(pid), "io"))) {
                if (line.startsWith("rchar:")) rchar = Long.parseLong(line.substring(6).trim());
                else if (line.startsWith("wchar:")) wchar = Long.parseLong(line.substring(6).trim());
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
    }

    /** One running iperf3 server. */
    public final class Iperf3Server implements RunningEngine {
        private final Process process;
        private final CompletableFuture<Long> completion;
        private final AtomicBoolean stopping = new AtomicBoolean();
        private volatile long bytesAtStop = -1;

        Iperf3Server(Process process, CompletableFuture<byte[]> output, EngineRequest request) {
            this.process = process;
            this.completion = process.onExit().thenCombine(output, (p, json) -> {
                long bytes = bytesFrom(json);
                long sampled = bytesAtStop;
                if (bytes <= 0 && sampled > 0) {
                    // Stopped mid-test, iperf3 sometimes exits without totals; its own I/O counters,
                    // read just before the signal, stand in so a stopped test still counts.
                    LOG.info("event=iperf3_totals_from_proc test_id={} bytes={}", request.testId(), sampled);
                    bytes = sampled;
                }
                if (bytes < 0) {
                    LOG.warn("event=iperf3_output_unreadable test_id={} exit={}", request.testId(), p.exitValue());
                    bytes = 0;
                }
                LOG.info("event=iperf3_exited test_id={} port={} pid={} exit={} bytes={}", request.testId(),
                        request.port(), p.pid(), p.exitValue(), bytes);
                return bytes;
            });
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
                killer.schedule(() -> {
                    if (process.isAlive()) {
                        LOG.warn("event=iperf3_sigkill pid={}", process.pid());
                        process.destroyForcibly();
                    }
                }, killGrace.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                process.destroyForcibly(); // shutting down: no time for a grace period
            }
        }
    }
}
