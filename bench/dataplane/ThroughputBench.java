import io.packetparamedic.api.config.ReflectorConfig;
import io.packetparamedic.api.identity.EndpointId;
import io.packetparamedic.reflector.audit.AuditLog;
import io.packetparamedic.reflector.client.ThroughputRunner;
import io.packetparamedic.reflector.session.PeerContext;
import io.packetparamedic.reflector.session.StandaloneSessions;
import io.packetparamedic.reflector.wire.Payload;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Throughput through a session granted by the real SessionManager versus raw iperf3, on loopback,
 * alternating ROUNDS times. Prints "granted_gbit raw_gbit" per round.
 */
public class ThroughputBench {
    public static void main(String[] args) throws Exception {
        int seconds = Integer.parseInt(args[0]);
        int rounds = Integer.parseInt(args[1]);
        Path dir = Files.createTempDirectory("bench-dataplane");
        ReflectorConfig cfg = new ReflectorConfig();
        cfg.state.dataDir = dir.toString();
        cfg.quotas.cooldownSec = 0;
        cfg.quotas.maxBytesPerDayPerPeer = Long.MAX_VALUE;
        cfg.quotas.maxTestsPerHourPerPeer = 1000;
        int base;
        try (ServerSocket s = new ServerSocket(0)) { base = s.getLocalPort(); }
        cfg.network.dataPortRangeStart = Math.min(base, 65000);
        cfg.network.dataPortRangeEnd = Math.min(base, 65000) + 20;
        ThroughputRunner runner = new ThroughputRunner("iperf3");
        PeerContext peer = new PeerContext(EndpointId.fromPublicKey(new byte[32]), new InetSocketAddress("127.0.0.1", 1));
        try (AuditLog audit = new AuditLog(dir.resolve("audit.jsonl"), "bench");
                StandaloneSessions sessions = StandaloneSessions.create(() -> cfg, audit, false)) {
            for (int round = 0; round < rounds; round++) {
                Payload answer = sessions.manager().request(peer,
                        new Payload.SessionRequest("throughput", new Payload.SessionParams(seconds, "tcp", 1, false)))
                        .toCompletableFuture().get(30, TimeUnit.SECONDS);
                Payload.SessionGrant grant = (Payload.SessionGrant) answer;
                ThroughputRunner.Result granted = runner.run("127.0.0.1", grant.port(), seconds, 1, false, null);
                sessions.manager().ended(grant.testId()).get(30, TimeUnit.SECONDS);

                int port;
                try (ServerSocket s = new ServerSocket(0)) { port = s.getLocalPort(); }
                Process raw = new ProcessBuilder("iperf3", "-s", "-1", "-p", Integer.toString(port))
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectErrorStream(true).start();
                ThroughputRunner.Result direct = null;
                for (int i = 0; i < 50 && (direct == null || !direct.ok()); i++) {
                    if (direct != null) Thread.sleep(20); // raw iperf3 not listening yet
                    direct = runner.run("127.0.0.1", port, seconds, 1, false, null);
                }
                raw.destroy();
                raw.onExit().get();
                System.out.printf("%.3f %.3f%n", granted.bitsPerSecond() / 1e9, direct.bitsPerSecond() / 1e9);
            }
        }
    }
}
