package io.packetparamedic.reflector.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetparamedic.reflector.audit.AuditLog;
import io.packetparamedic.reflector.engine.DataEngine;
import io.packetparamedic.reflector.engine.PortAllocator;
import io.packetparamedic.reflector.engine.UdpEchoEngine;
import io.packetparamedic.reflector.governance.Governance;
import io.packetparamedic.reflector.rpc.SessionMessages;
import io.packetparamedic.reflector.wire.Payload;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An engine that fails to start with an Error must not leave the request unanswered or the port held. */
class EngineStartFailureTest {

    @TempDir
    Path dir;

    @Test
    void anErrorFromAnEngineRefusesThatSessionAndTheNextOneIsGranted() throws Exception {
        var cfg = SessionHarness.config();
        AuditLog audit = new AuditLog(dir.resolve("audit.jsonl"), "PP-TEST");
        UdpEchoEngine echo = new UdpEchoEngine(() ->
                new UdpEchoEngine.Settings(cfg.quotas.udpEchoMaxPacketRate, cfg.network.udpEchoSourceCheck, false));
        AtomicInteger starts = new AtomicInteger();
        // The first start fails the way a data path whose native library cannot link would.
        DataEngine failingOnce = request -> {
            if (starts.getAndIncrement() == 0) throw new UnsatisfiedLinkError("ppdata_receive");
            return echo.start(request);
        };
        SessionManager manager = new SessionManager(
                () -> cfg,
                new Governance(new SessionHarness.MutableClock(Instant.now()), null),
                audit,
                failingOnce,
                failingOnce,
                failingOnce,
                new PortAllocator());
        try {
            PeerContext peer = SessionHarness.peer();
            Payload refused = manager.request(peer, SessionMessages.request(SessionHarness.udpEcho(5)))
                    .thenApply(SessionMessages::decision)
                    .toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
            assertThat(refused).isInstanceOf(Payload.SessionDeny.class);
            assertThat(((Payload.SessionDeny) refused).message()).contains("UnsatisfiedLinkError");
            assertThat(manager.activeTest()).isEmpty();

            // One session at a time by default: this is granted only if the failed one let go.
            Payload granted = manager.request(peer, SessionMessages.request(SessionHarness.udpEcho(5)))
                    .thenApply(SessionMessages::decision)
                    .toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
            assertThat(granted).isInstanceOf(Payload.SessionGrant.class);
            assertThat(starts.get()).isEqualTo(2);
        } finally {
            manager.close();
            echo.close();
            audit.close();
        }
    }
}
