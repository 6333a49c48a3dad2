package io.packetparamedic.reflector.client;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;

/**
 * Runs the local iperf3 client against a granted throughput session, as an appliance does:
 * {@code iperf3 -c HOST -p PORT -t D -P STREAMS [-R] -J -i 1}, and reads its JSON: the totals and
 * one interval a second. The raw JSON is kept for the results archive.
 *
 * <p>iperf3 prints its JSON only when it ends, so the live rate comes from elsewhere: the bytes
 * the iperf3 process wrote (upload) or read (download) through system calls, from
 * {@code /proc/PID/io}, once a second. That counts the test data plus a few hundred bytes of
 * iperf3's own control messages; the record keeps iperf3's figures.
 */
public final class ThroughputRunner {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_OUTPUT = 16 << 20;

    private final String iperf3Path;
    private final AtomicReference<Process> running = new AtomicReference<>();

    public ThroughputRunner(String iperf3Path) {
        this.iperf3Path = iperf3Path;
    }

    /** One iperf3 reporting interval, summed over the streams; {@code bitsPerSecond} as iperf3 measured it. */
    public record Interval(double startSec, double endSec, long bytes, double bitsPerSecond, long retransmits) {
        public double mbitPerSecond() {
            return bitsPerSecond / 1e6;
        }
    }

    /** What one run measured; {@code bitsPerSecond} is the receiver's figure. */
    public record Result(
            boolean reverse,
            double bitsPerSecond,
            long bytes,
            long retransmits,
            double seconds,
            int exitCode,
            String error,
            List<Interval> intervals,
            @JsonIgnore byte[] rawJson) {
        public double mbitPerSecond() {
            return bitsPerSecond / 1e6;
        }

        public boolean ok() {
            return exitCode == 0 && error == null;
        }
    }

    /** The live rate, once a second; {@code mbitPerSecond} is NaN where /proc cannot tell it. */
    public interface Listener {
        void second(int elapsedSec, double mbitPerSecond);
    }

    /** The earlier form: {@code progress} gets the elapsed whole seconds while iperf3 runs (may be null). */
    public Result run(String host, int port, int durationSec, int streams, boolean reverse, IntConsumer progress)
            throws IOException, InterruptedException {
        return measure(
                host,
                port,
                durationSec,
                streams,
                reverse,
                progress == null ? null : (second, rate) -> progress.accept(second));
    }

    /** Runs one test and waits for it; {@code listener} (may be null) gets the live rate. */
    public Result measure(String host, int port, int durationSec, int streams, boolean reverse, Listener listener)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                iperf3Path,
                "-c",
                host,
                "-p",
                Integer.toString(port),
                "-t",
                Integer.toString(durationSec),
                "-P",
                Integer.toString(Math.max(1, streams)),
                "-J",
                "-i",
                "1"));
        if (reverse) command.add("-R");
        Process process = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        running.set(process);
        try {
            process.getOutputStream().close();
            CompletableFuture<byte[]> output = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
            ProcessIo io = new ProcessIo(process.pid(), reverse);
            long started = System.nanoTime();
            long deadline = started + TimeUnit.SECONDS.toNanos(durationSec + 30L);
            int second = 0;
            while (!process.waitFor(
                    started + TimeUnit.SECONDS.toNanos(second + 1L) - System.nanoTime(), TimeUnit.NANOSECONDS)) {
                second++;
                if (listener != null) listener.second(second, io.mbitPerSecondSinceLast());
                if (System.nanoTime() > deadline) {
                    process.destroyForcibly();
                    process.waitFor();
                }
            }
            byte[] json;
            try {
                json = output.get(10, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                json = new byte[0];
            }
            return parse(json, reverse, process.exitValue());
        } finally {
            running.set(null);
            if (process.isAlive()) process.destroyForcibly();
        }
    }

    /** Stops the iperf3 of the run in progress, if any (Ctrl-C: the session is being closed). */
    public void abort() {
        Process p = running.get();
        if (p != null) p.destroy();
    }

    static Result parse(byte[] json, boolean reverse, int exitCode) {
        try {
            JsonNode root = JSON.readTree(json);
            if (root == null) return failed(reverse, exitCode, "iperf3 printed nothing", json);
            String error = root.hasNonNull("error") ? root.get("error").asText() : null;
            JsonNode end = root.path("end");
            JsonNode received = end.path("sum_received");
            JsonNode sent = end.path("sum_sent");
            JsonNode sum = received.isMissingNode() ? end.path("sum") : received;
            List<Interval> intervals = new ArrayList<>();
            for (JsonNode interval : root.path("intervals")) {
                JsonNode s = interval.path("sum");
                intervals.add(new Interval(
                        s.path("start").asDouble(),
                        s.path("end").asDouble(),
                        s.path("bytes").asLong(),
                        s.path("bits_per_second").asDouble(),
                        s.path("retransmits").asLong(0)));
            }
            return new Result(
                    reverse,
                    sum.path("bits_per_second").asDouble(0),
                    sum.path("bytes").asLong(0),
                    sent.path("retransmits").asLong(0),
                    sum.path("seconds").asDouble(0),
                    exitCode,
                    error,
                    List.copyOf(intervals),
                    json);
        } catch (IOException e) {
            return failed(reverse, exitCode, "iperf3 output is not JSON", json);
        }
    }

    private static Result failed(boolean reverse, int exitCode, String error, byte[] json) {
        return new Result(reverse, 0, 0, 0, 0, exitCode, error, List.of(), json);
    }

    private static byte[] readAll(InputStream in) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[16384];
        try (in) {
            int n;
            while ((n = in.read(buf)) >= 0) if (out.size() + n <= MAX_OUTPUT) out.write(buf, 0, n);
        } catch (IOException ignored) {
            // the process ended; keep what was read
        }
        return out.toByteArray();
    }
}
