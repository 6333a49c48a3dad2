package io.packetparamedic.reflector.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import io.packetparamedic.api.identity.Ed25519Identity;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The appliance's speed test against a reflector, step by step as FIELD-CLIENT.md gives it:
 * connect and hello; an upload request ({@code reverse: false}, 4 streams,
 * {@code duration_sec = max(10, timeout)}); 500 ms after the grant, {@code iperf3 -c <control
 * host> -p <port> -t <its own duration> -P 4 -J}; right after iperf3 exits the download
 * request on the same connection and the same command with {@code -R}; no
 * {@code session_close}; the connection dropped. (The appliance prefixes iperf3 with
 * {@code taskset -c 2,3}, CPU pinning for a Raspberry Pi 5 that changes nothing on the wire and
 * does not exist on a 2-core machine, so it is left out.)
 */
public final class FieldSpeedTest {

    public static final int STREAMS = 4;
    static final long GRANT_TO_IPERF3_MILLIS = 500;

    /** One iperf3 client run: its byte totals as it reports them and its JSON. */
    public record Iperf3Run(long bytesSent, long bytesReceived, double receivedMbps, JsonNode json) {}

    /** Both halves, and the frames of the control connection. */
    public record Result(
            JsonNode uploadGrant,
            Iperf3Run upload,
            JsonNode downloadGrant,
            Iperf3Run download,
            List<JsonNode> sent,
            List<JsonNode> received) {
        public long bytesSent() {
            return upload.bytesSent() + download.bytesSent();
        }
    }

    private FieldSpeedTest() {}

    /** Runs the speed test with the appliance's default timeout (10 s). */
    public static Result run(InetSocketAddress control, Ed25519Identity identity, String iperf3)
            throws IOException, InterruptedException {
        return run(control, identity, iperf3, 10);
    }

    public static Result run(InetSocketAddress control, Ed25519Identity identity, String iperf3, long timeoutSec)
            throws IOException, InterruptedException {
        long duration = Math.max(10, timeoutSec);
        String host = control.getHostString();
        try (FieldClient client = FieldClient.connect(control, identity)) {
            JsonNode up = client.requestThroughput(duration, STREAMS, false);
            Thread.sleep(GRANT_TO_IPERF3_MILLIS); // the appliance's own fixed pause, part of the profile
            Iperf3Run upload = iperf3(iperf3, host, up.path("port").asInt(), duration, false);
            JsonNode down = client.requestThroughput(duration, STREAMS, true);
            Thread.sleep(GRANT_TO_IPERF3_MILLIS);
            Iperf3Run download = iperf3(iperf3, host, down.path("port").asInt(), duration, true);
            return new Result(up, upload, down, download, client.sentFrames(), client.receivedFrames());
        }
    }

    /** {@code iperf3 -c host -p port -t duration -P 4 -J [-R]}; a non-zero exit fails as the appliance does. */
    static Iperf3Run iperf3(String iperf3, String host, int port, long duration, boolean reverse)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                iperf3,
                "-c",
                host,
                "-p",
                Integer.toString(port),
                "-t",
                Long.toString(duration),
                "-P",
                Integer.toString(STREAMS),
                "-J"));
        if (reverse) command.add("-R");
        Process p = new ProcessBuilder(command).start();
        p.getOutputStream().close();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
        if (!p.waitFor(duration + 30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new FieldClientException("iperf3 did not finish within " + (duration + 30) + " s");
        }
        String stdout = out.join();
        if (p.exitValue() != 0) {
            throw new FieldClientException("iperf3 failed: stdout: " + stdout + ", stderr: " + err.join());
        }
        JsonNode json = FieldClient.JSON.readTree(stdout);
        JsonNode end = json.path("end");
        if (end.isMissingNode()) throw new FieldClientException("No 'end' field in iperf3 JSON");
        return new Iperf3Run(
                end.path("sum_sent").path("bytes").asLong(),
                end.path("sum_received").path("bytes").asLong(),
                end.path("sum_received").path("bits_per_second").asDouble() / 1e6,
                json);
    }

    private static String readAll(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
