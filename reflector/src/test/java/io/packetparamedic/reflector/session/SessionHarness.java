package io.packetparamedic.reflector.session;

import io.packetparamedic.api.config.ReflectorConfig;
import io.packetparamedic.api.identity.EndpointId;
import io.packetparamedic.reflector.audit.AuditLog;
import io.packetparamedic.reflector.engine.PortAllocator;
import io.packetparamedic.reflector.engine.StampEngine;
import io.packetparamedic.reflector.engine.ThroughputEngine;
import io.packetparamedic.reflector.engine.UdpEchoEngine;
import io.packetparamedic.reflector.governance.Governance;
import io.packetparamedic.reflector.governance.GovernanceStore;
import io.packetparamedic.reflector.rpc.SessionMessages;
import io.packetparamedic.reflector.wire.Payload;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A real SessionManager with real engines (iperf3 on the PATH, epoll UDP) on loopback, for tests
 * that drive the session layer directly. The config is live: tests change it between requests.
 */
final class SessionHarness implements AutoCloseable {

    final AtomicReference<ReflectorConfig> config = new AtomicReference<>();
    final Path dir;
    final AuditLog audit;
    final MutableClock clock;
    final GovernanceStore store;
    final ThroughputEngine throughput;
    final UdpEchoEngine udpEcho;
    final StampEngine stamp;
    final SessionManager manager;

    SessionHarness(Path dir, ReflectorConfig cfg) {
        this(dir, cfg, new MutableClock(Instant.now()), true);
    }

    SessionHarness(Path dir, ReflectorConfig cfg, MutableClock clock, boolean persist) {
        this.dir = dir;
        this.clock = clock;
        config.set(cfg);
        audit = new AuditLog(dir.resolve("audit.jsonl"), "PP-TEST");
        store = persist ? GovernanceStore.inDataDir(dir) : null;
        throughput = new ThroughputEngine(() -> config.get().iperf3.path);
        udpEcho = new UdpEchoEngine(() -> SessionLayer.echoSettings(config.get()));
        stamp = new StampEngine(() -> SessionLayer.echoSettings(config.get()));
        manager = new SessionManager(
                config::get, new Governance(clock, store), audit, throughput, udpEcho, stamp, new PortAllocator());
    }

    /** Defaults of spec section 9 with a data port range that is free on this machine. */
    static ReflectorConfig config() {
        ReflectorConfig cfg = new ReflectorConfig();
        int base = freeRangeBase(20);
        cfg.network.dataPortRangeStart = base;
        cfg.network.dataPortRangeEnd = base + 19;
        return cfg;
    }

    static PeerContext peer() {
        return peer("127.0.0.1");
    }

    static PeerContext peer(String ip) {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return new PeerContext(EndpointId.fromPublicKey(key), new InetSocketAddress(ip, 40000));
    }

    static Payload.SessionRequest throughput(int durationSec, Integer streams, Boolean reverse) {
        return new Payload.SessionRequest(
                "throughput", new Payload.SessionParams(durationSec, "tcp", streams, reverse));
    }

    static Payload.SessionRequest udpEcho(int durationSec) {
        return new Payload.SessionRequest("udp_echo", new Payload.SessionParams(durationSec, null, null, null));
    }

    static Payload.SessionRequest stamp(int durationSec) {
        return new Payload.SessionRequest("stamp", new Payload.SessionParams(durationSec, "udp", null, null));
    }

    /** The request as the rpc layer passes it on, answered with the message the peer would read. */
    CompletionStage<Payload> requestAsync(PeerContext peer, Payload.SessionRequest request) {
        return manager.request(peer, SessionMessages.request(request)).thenApply(SessionMessages::decision);
    }

    Payload request(PeerContext peer, Payload.SessionRequest request) throws Exception {
        return requestAsync(peer, request).toCompletableFuture().get(20, TimeUnit.SECONDS);
    }

    /** {@code session_close}, answered as the peer would read it. */
    Payload close(PeerContext peer, String testId) {
        return SessionMessages.closed(manager.close(peer, testId));
    }

    /** The {@code active_test} of a status snapshot. */
    Optional<Payload.ActiveTest> activeTest() {
        return manager.activeTest().map(SessionMessages::activeTest);
    }

    Payload.SessionGrant grant(PeerContext peer, Payload.SessionRequest request) throws Exception {
        Payload p = request(peer, request);
        if (!(p instanceof Payload.SessionGrant g)) throw new AssertionError("expected a grant, got " + p);
        return g;
    }

    void awaitEnded(String testId) throws Exception {
        manager.ended(testId).get(30, TimeUnit.SECONDS);
    }

    List<String> auditLines() throws Exception {
        audit.flush(5, TimeUnit.SECONDS);
        Path file = dir.resolve("audit.jsonl");
        return Files.exists(file) ? Files.readAllLines(file) : List.of();
    }

    @Override
    public void close() {
        manager.close();
        throughput.close();
        udpEcho.close();
        stamp.close();
        if (store != null) store.close();
        audit.close();
    }

    /** A base port with {@code size} bindable ports after it, chosen away from the usual ranges. */
    static int freeRangeBase(int size) {
        SecureRandom random = new SecureRandom();
        for (int attempt = 0; attempt < 50; attempt++) {
            int base = 20000 + random.nextInt(300) * 100;
            boolean free = true;
            for (int p = base; p < base + size && free; p++) {
                try (ServerSocket s = new ServerSocket(p)) {
                    s.getLocalPort();
                } catch (IOException e) {
                    free = false;
                }
            }
            if (free) return base;
        }
        throw new IllegalStateException("no free port range");
    }

    /** Real time plus an offset that tests move forward by hand, so timers stay meaningful. */
    static final class MutableClock extends Clock {
        private volatile Duration offset;

        MutableClock(Instant start) {
            this.offset = Duration.between(Instant.now(), start);
        }

        void advance(Duration d) {
            offset = offset.plus(d);
        }

        @Override
        public Instant instant() {
            return Instant.now().plus(offset);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
