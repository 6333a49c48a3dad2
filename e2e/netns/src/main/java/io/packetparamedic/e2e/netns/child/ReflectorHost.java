package io.packetparamedic.e2e.netns.child;

import io.packetparamedic.api.config.ConfigLoader;
import io.packetparamedic.api.config.ReflectorConfig;
import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.reflector.Reflector;
import io.packetparamedic.reflector.audit.AuditLog;
import io.packetparamedic.reflector.engine.PortAllocator;
import io.packetparamedic.reflector.engine.ThroughputEngine;
import io.packetparamedic.reflector.engine.UdpEchoEngine;
import io.packetparamedic.reflector.governance.Governance;
import io.packetparamedic.reflector.governance.GovernanceStore;
import io.packetparamedic.reflector.rpc.PathMetaSource;
import io.packetparamedic.reflector.session.SessionManager;
import io.packetparamedic.reflector.wire.Payload;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

/**
 * The standalone reflector as {@code reflector serve -c FILE} wires it (control plane, real
 * session manager, iperf3 and UDP echo engines, governance state file, audit log), run in the
 * reflector's namespace. Prints {@code READY <endpoint-id> <control-address>} once listening and
 * stops when its stdin closes.
 */
public final class ReflectorHost {

    private ReflectorHost() {}

    public static void main(String[] args) throws Exception {
        ReflectorConfig config = ConfigLoader.loadFile(Path.of(args[0])).config();
        Ed25519Identity identity = Ed25519Identity.loadOrCreate(config.privateKeyPath());
        Clock clock = Clock.systemUTC();
        AuditLog audit = AuditLog.of(config, identity.endpointId().toString(), clock);
        GovernanceStore store = GovernanceStore.inDataDir(config.dataDir());
        ThroughputEngine throughput = new ThroughputEngine(() -> config.iperf3.path);
        UdpEchoEngine udpEcho = new UdpEchoEngine(() -> new UdpEchoEngine.Settings(config.quotas.udpEchoMaxPacketRate,
                config.network.udpEchoSourceCheck));
        Reflector[] running = new Reflector[1];
        SessionManager sessions = new SessionManager(() -> running[0] == null ? config : running[0].config(),
                new Governance(clock, store), audit, throughput, udpEcho, new PortAllocator());
        PathMetaSource pathMeta = peer -> {
            var os = ManagementFactory.getOperatingSystemMXBean();
            double load = os.getSystemLoadAverage();
            Runtime rt = Runtime.getRuntime();
            return new Payload.PathMeta(Math.max(0, load), (rt.totalMemory() - rt.freeMemory()) >> 20, rt.maxMemory() >> 20,
                    List.of(load, load, load), 1500, true, "e2e", "e2e");
        };
        running[0] = Reflector.builder(config, identity).sessions(sessions).pathMeta(pathMeta).auditLog(audit).start();
        System.out.println("READY " + identity.endpointId() + " " + running[0].controlAddress().getAddress().getHostAddress()
                + ":" + running[0].controlAddress().getPort());
        System.out.flush();
        InputStream in = System.in;
        while (in.read() >= 0) {
            // run until the test closes our stdin
        }
        running[0].close();
        sessions.close();
        throughput.close();
        udpEcho.close();
        store.close();
        audit.close();
        System.exit(0);
    }
}
