import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.packetparamedic.api.config.ReflectorConfig;
import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.reflector.audit.AuditLog;
import io.packetparamedic.reflector.cli.ReflectorCli;
import io.packetparamedic.reflector.client.LinkClient;
import io.packetparamedic.reflector.runtime.ReflectorRuntime;
import io.packetparamedic.reflector.selftest.HostPathMeta;
import io.packetparamedic.reflector.session.SessionLayer;
import io.packetparamedic.reflector.wire.Payload;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The bundled client's overhead on the speed test: through one real reflector (TLS control
 * connection, real SessionManager, iperf3 behind the pinning relay), alternating ROUNDS times
 * per direction: (a) "plain": a bare session request, then `iperf3 -c 127.0.0.1 -p PORT -t S -P N
 * -J [-R]` exactly as an appliance would run it; (b) "client": `reflector client throughput -d
 * DIRECTION` (in this JVM: the command's own code path, from option checks and iperf3 lookup to
 * its live /proc sampling and JSON record). Prints per round "direction plain_gbit client_gbit".
 */
public class ClientOverheadBench {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        int seconds = Integer.parseInt(args[0]);
        int rounds = Integer.parseInt(args[1]);
        int streams = Integer.parseInt(args[2]);
        Path dir = Files.createTempDirectory("bench-client");
        Path clientKey = dir.resolve("client.ed25519");
        Ed25519Identity client = Ed25519Identity.loadOrCreate(clientKey);
        ReflectorConfig cfg = new ReflectorConfig();
        cfg.network.listenAddress = "127.0.0.1:0";
        cfg.network.listenAddressHealth = "127.0.0.1:0";
        cfg.state.dataDir = dir.toString();
        cfg.access.authorizedPeers.add(client.endpointId().toString());
        cfg.quotas.cooldownSec = 0;
        cfg.quotas.maxBytesPerDayPerPeer = Long.MAX_VALUE;
        cfg.quotas.maxTestsPerHourPerPeer = 1000;
        int base;
        try (ServerSocket s = new ServerSocket(0)) {
            base = Math.min(s.getLocalPort(), 65000);
        }
        cfg.network.dataPortRangeStart = base;
        cfg.network.dataPortRangeEnd = base + 20;
        try (AuditLog audit = new AuditLog(dir.resolve("audit.jsonl"), "bench");
                SessionLayer sessions = SessionLayer.create(() -> cfg, audit, false);
                ReflectorRuntime reflector = ReflectorRuntime.builder(cfg, Ed25519Identity.generate())
                        .sessions(sessions.manager())
                        .pathMeta(new HostPathMeta())
                        .auditLog(audit)
                        .start()) {
            int port = reflector.controlAddress().getPort();
            for (int round = 0; round < rounds; round++) {
                for (boolean reverse : new boolean[] {false, true}) {
                    double plain = plain(client, port, seconds, streams, reverse);
                    double viaClient = viaClient(clientKey, port, seconds, streams, reverse);
                    System.out.printf("%s %.3f %.3f%n", reverse ? "download" : "upload", plain, viaClient);
                }
            }
        }
    }

    static double plain(Ed25519Identity identity, int port, int seconds, int streams, boolean reverse)
            throws Exception {
        try (LinkClient c = LinkClient.connect("127.0.0.1", port, identity, LinkClient.Options.defaults())) {
            c.hello();
            Payload answer;
            // The previous run's session may still be winding down: wait as the reflector says.
            while ((answer = c.sessionRequest(
                                    "throughput", new Payload.SessionParams(seconds, "tcp", streams, reverse)))
                            instanceof Payload.SessionDeny deny
                    && deny.retryAfterSec() != null) {
                Thread.sleep(deny.retryAfterSec() * 1000);
            }
            Payload.SessionGrant g = (Payload.SessionGrant) answer;
            List<String> cmd = new ArrayList<>(List.of(
                    "iperf3",
                    "-c",
                    "127.0.0.1",
                    "-p",
                    Integer.toString(g.port()),
                    "-t",
                    Integer.toString(seconds),
                    "-P",
                    Integer.toString(streams),
                    "-J"));
            if (reverse) cmd.add("-R");
            Process p = new ProcessBuilder(cmd)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            JsonNode root = JSON.readTree(p.getInputStream());
            p.waitFor();
            try {
                c.sessionClose(g.testId());
            } catch (java.io.IOException e) {
                // the session ended with iperf3 already
            }
            return root.path("end").path("sum_received").path("bits_per_second").asDouble() / 1e9;
        } catch (Exception e) {
            System.err.println("plain run failed: " + e);
            return Double.NaN;
        }
    }

    static double viaClient(Path key, int port, int seconds, int streams, boolean reverse) throws Exception {
        StringWriter out = new StringWriter();
        int code = ReflectorCli.commandLine(
                        Map.of(), new PrintWriter(out, true), new PrintWriter(new StringWriter(), true))
                .execute(
                        "client",
                        "-s",
                        "127.0.0.1:" + port,
                        "-i",
                        key.toString(),
                        "--json",
                        "throughput",
                        "-d",
                        reverse ? "download" : "upload",
                        "-t",
                        Integer.toString(seconds),
                        "-P",
                        Integer.toString(streams));
        if (code != 0) return Double.NaN;
        return JSON.readTree(out.toString())
                        .path("throughput")
                        .get(0)
                        .path("mbit_per_sec")
                        .asDouble()
                / 1000;
    }
}
