import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.packetparamedic.api.config.ReflectorConfig;
import io.packetparamedic.api.identity.EndpointId;
import io.packetparamedic.reflector.audit.AuditLog;
import io.packetparamedic.reflector.session.PeerContext;
import io.packetparamedic.reflector.session.SessionDecision;
import io.packetparamedic.reflector.session.SessionLayer;
import io.packetparamedic.reflector.session.TestRequest;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Throughput through a session granted by the real SessionManager (iperf3 on loopback behind the
 * pinning relay on the granted port) versus raw iperf3 (client straight to a server on an
 * ordinary port), on loopback, alternating ROUNDS times with STREAMS parallel streams and, when
 * RATE is given (iperf3 -b, per stream, e.g. 250M), that pacing. Prints per round
 * "relay_gbit raw_gbit relay_cpu_sec": the last is the CPU time this JVM spent during the relayed
 * run (the relay; the session layer is idle meanwhile).
 */
public class ThroughputBench {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        int seconds = Integer.parseInt(args[0]);
        int rounds = Integer.parseInt(args[1]);
        int streams = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        String rate = args.length > 3 && !args[3].isEmpty() ? args[3] : null;
        com.sun.management.OperatingSystemMXBean cpu = (com.sun.management.OperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        Path dir = Files.createTempDirectory("bench-dataplane");
        ReflectorConfig cfg = new ReflectorConfig();
        cfg.state.dataDir = dir.toString();
        cfg.quotas.cooldownSec = 0;
        cfg.quotas.maxBytesPerDayPerPeer = Long.MAX_VALUE;
        cfg.quotas.maxTestsPerHourPerPeer = 1000;
        int base;
        try (ServerSocket s = new ServerSocket(0)) {
            base = s.getLocalPort();
        }
        cfg.network.dataPortRangeStart = Math.min(base, 65000);
        cfg.network.dataPortRangeEnd = Math.min(base, 65000) + 20;
        PeerContext peer =
                new PeerContext(EndpointId.fromPublicKey(new byte[32]), new InetSocketAddress("127.0.0.1", 1));
        try (AuditLog audit = new AuditLog(dir.resolve("audit.jsonl"), "bench");
                SessionLayer sessions = SessionLayer.create(() -> cfg, audit, false)) {
            for (int round = 0; round < rounds; round++) {
                SessionDecision answer = sessions.manager()
                        .request(
                                peer,
                                new TestRequest("throughput", new TestRequest.Params(seconds, "tcp", streams, false)))
                        .toCompletableFuture()
                        .get(30, TimeUnit.SECONDS);
                SessionDecision.Granted grant = (SessionDecision.Granted) answer;
                long cpu0 = cpu.getProcessCpuTime();
                double relayed = client(grant.port(), seconds, streams, rate);
                long cpu1 = cpu.getProcessCpuTime();
                sessions.manager().ended(grant.testId()).get(30, TimeUnit.SECONDS);

                int port;
                try (ServerSocket s = new ServerSocket(0)) {
                    port = s.getLocalPort();
                }
                Process raw = new ProcessBuilder("iperf3", "-s", "-1", "-p", Integer.toString(port))
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectErrorStream(true)
                        .start();
                double direct = -1;
                for (int i = 0; i < 50 && direct < 0; i++) {
                    if (i > 0) Thread.sleep(20); // raw iperf3 not listening yet
                    direct = client(port, seconds, streams, rate);
                }
                raw.destroy();
                raw.onExit().get();
                System.out.printf("%.3f %.3f %.2f%n", relayed / 1e9, direct / 1e9, (cpu1 - cpu0) / 1e9);
            }
        }
    }

    /** The receiver's bits per second of one iperf3 client run; -1 when it failed. */
    private static double client(int port, int seconds, int streams, String rate) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                "iperf3",
                "-c",
                "127.0.0.1",
                "-p",
                Integer.toString(port),
                "-t",
                Integer.toString(seconds),
                "-P",
                Integer.toString(streams),
                "-J"));
        if (rate != null) command.addAll(List.of("-b", rate));
        Process p = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        byte[] out = p.getInputStream().readAllBytes();
        p.waitFor();
        JsonNode root = JSON.readTree(out);
        if (p.exitValue() != 0 || root == null || root.hasNonNull("error")) return -1;
        return root.path("end").path("sum_received").path("bits_per_second").asDouble(-1);
    }
}
