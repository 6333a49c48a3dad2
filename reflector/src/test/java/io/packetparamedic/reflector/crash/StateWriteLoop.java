package io.packetparamedic.reflector.crash;

import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.api.identity.EndpointId;
import io.packetparamedic.reflector.audit.AuditEvent;
import io.packetparamedic.reflector.audit.AuditEventType;
import io.packetparamedic.reflector.audit.AuditLog;
import io.packetparamedic.reflector.auth.PeerStore;
import io.packetparamedic.reflector.governance.Governance;
import io.packetparamedic.reflector.governance.GovernanceStore;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A child process for {@link KilledMidWriteTest}: writes the reflector's three files — governance
 * state, paired peers, audit log — as fast as it can, with the production writers, until it is
 * killed. Prints {@code writing} once every file has been written at least once.
 */
public final class StateWriteLoop {

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Clock clock = Clock.systemUTC();
        GovernanceStore store = GovernanceStore.inDataDir(dir);
        Governance governance = new Governance(clock, store);
        PeerStore peers = PeerStore.open(dir, clock);
        AuditLog audit = new AuditLog(dir.resolve("audit.jsonl"), "loop", clock, new AuditLog.Rotation(1L << 30, 1));
        List<EndpointId> ids = new ArrayList<>();
        for (int i = 0; i < 8; i++) ids.add(Ed25519Identity.generate().endpointId());
        String padding = "x".repeat(2000); // long lines, so a kill often lands inside one
        for (long n = 0; ; n++) {
            EndpointId peer = ids.get((int) (n % ids.size()));
            governance.recordStart(peer.toString(), clock.instant());
            if (peers.contains(peer)) peers.remove(peer);
            else peers.add(peer, "loop");
            audit.record(AuditEvent.of(AuditEventType.SESSION_GRANTED)
                    .withPeer(peer.toString())
                    .withParams(Map.of("n", n, "padding", padding)));
            if (n == 16) {
                store.flush();
                audit.flush(5, java.util.concurrent.TimeUnit.SECONDS);
                System.out.println("writing");
                System.out.flush();
            }
        }
    }
}
