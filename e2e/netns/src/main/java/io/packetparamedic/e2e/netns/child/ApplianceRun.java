package io.packetparamedic.e2e.netns.child;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.reflector.client.LinkClient;
import io.packetparamedic.reflector.client.ThroughputRunner;
import io.packetparamedic.reflector.client.UdpEchoProbe;
import io.packetparamedic.reflector.wire.Payload;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One appliance's test run, as the field appliance does it, from inside its namespace: connect
 * (mTLS), hello, pair with a code if given, throughput up then down (iperf3 client), UDP echo
 * probes, status. Prints one line {@code RESULT <json>} with every figure and the wall-clock
 * window of each session (for the capture check), and exits 0 when every step worked.
 *
 * <p>Arguments: {@code key=value}: server (HOST:PORT), identity (key file), code (pairing code,
 * optional), duration (throughput seconds, 0 skips throughput), probes, interval_us, probe_size.
 */
public final class ApplianceRun {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_DENIES = 5;

    private ApplianceRun() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = new HashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            opt.put(a.substring(0, eq), a.substring(eq + 1));
        }
        String[] server = opt.get("server").split(":");
        String host = server[0];
        int port = Integer.parseInt(server[1]);
        Ed25519Identity identity = Ed25519Identity.loadOrCreate(Path.of(opt.get("identity")));
        int duration = Integer.parseInt(opt.getOrDefault("duration", "2"));
        int probes = Integer.parseInt(opt.getOrDefault("probes", "500"));
        int intervalUs = Integer.parseInt(opt.getOrDefault("interval_us", "2500"));
        int probeSize = Integer.parseInt(opt.getOrDefault("probe_size", "64"));

        ObjectNode out = JSON.createObjectNode();
        out.put("endpoint_id", identity.endpointId().toString());
        ArrayNode sessions = out.putArray("sessions");
        boolean ok = true;
        long t0 = System.nanoTime();
        try (LinkClient client = LinkClient.connect(
                host, port, identity, LinkClient.Options.defaults().withReadTimeout(Duration.ofSeconds(30)))) {
            out.put("tls_ms", ms(System.nanoTime() - t0));
            if (opt.containsKey("code")) {
                Payload.PairResponse paired = client.pair(opt.get("code"));
                out.put("paired", paired.success());
                out.put("pair_message", paired.message());
                if (!paired.success()) throw new IllegalStateException("pairing failed: " + paired.message());
            }
            Payload.ServerHello hello = client.hello();
            out.put("connect_ms", ms(System.nanoTime() - t0));
            out.put("server_version", hello.version());

            if (duration > 0) {
                for (boolean reverse : new boolean[] {false, true}) {
                    ObjectNode s = sessions.addObject();
                    Payload.SessionGrant grant =
                            request(client, "throughput", new Payload.SessionParams(duration, "tcp", 1, reverse), s);
                    ThroughputRunner.Result r =
                            new ThroughputRunner("iperf3").run(host, grant.port(), duration, 1, reverse, null);
                    s.put("finished_at_ms", System.currentTimeMillis());
                    s.put("mbit_per_s", r.mbitPerSecond());
                    s.put("bytes", r.bytes());
                    s.put("retransmits", r.retransmits());
                    s.put("ok", r.ok());
                    if (r.error() != null) s.put("error", r.error());
                    out.put(reverse ? "down_mbit_per_s" : "up_mbit_per_s", r.mbitPerSecond());
                    ok &= r.ok() && r.bytes() > 0;
                }
            }

            if (probes > 0) {
                int echoSec = (int) Math.ceil((double) probes * intervalUs / 1e6) + 3;
                ObjectNode s = sessions.addObject();
                Payload.SessionGrant grant =
                        request(client, "udp_echo", new Payload.SessionParams(echoSec, "udp", null, null), s);
                UdpEchoProbe.Result r = new UdpEchoProbe(new InetSocketAddress(host, grant.port()))
                        .run(probes, intervalUs, probeSize, 1500, null);
                s.put("finished_at_ms", System.currentTimeMillis());
                client.sessionClose(grant.testId());
                s.put("closed_at_ms", System.currentTimeMillis());
                ObjectNode echo = out.putObject("udp_echo");
                echo.put("sent", r.sent());
                echo.put("received", r.received());
                echo.put("corrupted", r.corrupted());
                echo.put("loss_percent", r.lossPercent());
                echo.put("rtt_min_ms", r.rttMinMs());
                echo.put("rtt_avg_ms", r.rttAvgMs());
                echo.put("rtt_p50_ms", r.rttP50Ms());
                echo.put("rtt_p99_ms", r.rttP99Ms());
                echo.put("jitter_ms", r.jitterMs());
                ok &= r.corrupted() == 0;
            }

            Payload.StatusSnapshot status = client.status();
            out.put("status_endpoint_id", status.endpointId());
            out.put("status_tests_today", status.testsToday());
            out.put("status_bytes_today", status.bytesToday());
        } catch (Exception e) {
            ok = false;
            out.put("error", e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        out.put("ok", ok);
        System.out.println("RESULT " + JSON.writeValueAsString(out));
        System.out.flush();
        System.exit(ok ? 0 : 1);
    }

    /** Requests a session, waiting out {@code busy}/{@code rate_limited} as an appliance does. */
    private static Payload.SessionGrant request(
            LinkClient client, String type, Payload.SessionParams params, ObjectNode s)
            throws IOException, InterruptedException {
        s.put("test_type", type);
        if (params.reverse() != null) s.put("reverse", params.reverse());
        for (int attempt = 0; ; attempt++) {
            s.put("requested_at_ms", System.currentTimeMillis());
            Payload answer = client.sessionRequest(type, params);
            if (answer instanceof Payload.SessionGrant g) {
                s.put("granted_at_ms", System.currentTimeMillis());
                s.put("port", g.port());
                s.put("test_id", g.testId());
                s.put("expires_at", g.expiresAt());
                return g;
            }
            Payload.SessionDeny deny = (Payload.SessionDeny) answer;
            s.withArray("denies").add(deny.reason());
            boolean transient_ = "busy".equals(deny.reason()) || "rate_limited".equals(deny.reason());
            if (!transient_ || attempt >= MAX_DENIES) {
                throw new IllegalStateException(type + " denied: " + deny.reason() + " " + deny.message());
            }
            long wait = deny.retryAfterSec() == null ? 1 : Math.max(1, deny.retryAfterSec());
            TimeUnit.SECONDS.sleep(Math.min(wait, 10));
        }
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
