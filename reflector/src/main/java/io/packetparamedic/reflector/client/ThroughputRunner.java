package io.packetparamedic.reflector.client;

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
import java.util.function.IntConsumer;

/**
 * Runs the local iperf3 client against a granted throughput session, as an appliance does:
 * {@code iperf3 -c HOST -p PORT -t D -P STREAMS [-R] -J}, and reads its JSON totals.
 */
public final class ThroughputRunner {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_OUTPUT = 16 << 20;

    private final String iperf3Path;

    public ThroughputRunner(String iperf3Path) {
        this.iperf3Path = iperf3Path;
    }

    /** What one run measured; {@code bitsPerSecond} is the receiver's figure. */
    public record Result(boolean reverse, double bitsPerSecond, long bytes, long retransmits, double seconds, int exitCode,
            String error) {
        public double mbitPerSecond() {
            return bitsPerSecond / 1e6;
        }

        public boolean ok() {
            return exitCode == 0 && error == null;
        }
    }

    /**
     * Runs one test and waits for it; {@code progress} gets the elapsed whole seconds while it runs
     * (may be null).
     */
    public Result run(String host, int port, int durationSec, int streams, boolean reverse, IntConsumer progress)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(iperf3Path, "-c", host, "-p", Integer.toString(port), "-t",
                Integer.toString(durationSec), "-P", Integer.toString(Math.max(1, streams)), "-J"));
        if (reverse) command.add("-R");
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        process.getOutputStream().close();
        CompletableFuture<byte[]> output = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
        long started = System.nanoTime();
        int shown = 0;
        long deadline = started + TimeUnit.SECONDS.toNanos(durationSec + 30L);
        while (!process.waitFor(1, TimeUnit.SECONDS)) {
            shown++;
            if (progress != null) progress.accept(shown);
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
    }

    static Result parse(byte[] json, boolean reverse, int exitCode) {
        try {
            JsonNode root = JSON.readTree(json);
            if (root == null) return new Result(reverse, 0, 0, 0, 0, exitCode, "iperf3 printed nothing");
            String error = root.hasNonNull("error") ? root.get("error").asText() : null;
            JsonNode end = root.path("end");
            JsonNode received = end.path("sum_received");
            JsonNode sent = end.path("sum_sent");
            JsonNode sum = received.isMissingNode() ? end.path("sum") : received;
            return new Result(reverse, sum.path("bits_per_second").asDouble(0), sum.path("bytes").asLong(0),
                    sent.path("retransmits").asLong(0), sum.path("seconds").asDouble(0), exitCode, error);
        } catch (IOException e) {
            return new Result(reverse, 0, 0, 0, 0, exitCode, "iperf3 output is not JSON");
        }
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
