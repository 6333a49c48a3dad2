package io.packetparamedic.reflector.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.packetparamedic.api.config.ReflectorConfig;
import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.reflector.client.LinkClient;
import io.packetparamedic.reflector.metrics.ReflectorMetrics;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 12 item 2, one limit at a time: per source, all unauthenticated together, the first byte. */
class UnauthenticatedLimitsTest {

    @TempDir
    Path dir;

    private final Ed25519Identity appliance = Ed25519Identity.generate();

    private TestReflector start(Consumer<ReflectorConfig> customize) throws IOException {
        return TestReflector.start(dir, c -> {
            c.access.authorizedPeers.add(appliance.endpointId().toString());
            // Idle sockets stay until the test is done with them, unless a test says otherwise.
            c.network.handshakeTimeoutSec = 30;
            c.network.firstByteTimeoutMs = 30_000;
            customize.accept(c);
        });
    }

    /** A TCP connection from {@code sourceIp} that sends nothing. */
    private static Socket idleFrom(String sourceIp, InetSocketAddress target) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(sourceIp, 0));
        s.connect(target, 2000);
        return s;
    }

    private static boolean closedWithin(Socket s, Duration timeout) throws IOException {
        s.setSoTimeout((int) timeout.toMillis());
        try {
            InputStream in = s.getInputStream();
            byte[] buf = new byte[256];
            while (in.read(buf) >= 0) {
                // an alert may come first
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    /** Polls a server-side condition that no event announces (as TestReflector.awaitAudit does). */
    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("not within 15 s: " + what);
            Thread.sleep(20);
        }
    }

    private static double gauge(TestReflector server, String name) {
        return server.reflector.metrics().registry().get(name).gauge().value();
    }

    @Test
    void oneSourceBeyondItsLimitIsRefusedBeforeTlsWhileOthersAreServed() throws Exception {
        List<Socket> held = new ArrayList<>();
        try (TestReflector server = start(c -> c.network.maxUnauthenticatedPerSource = 3)) {
            InetSocketAddress target = server.reflector.controlAddress();
            for (int i = 0; i < 3; i++) held.add(idleFrom("127.0.0.2", target));
            await("three unauthenticated", () -> gauge(server, ReflectorMetrics.CONNECTIONS_UNAUTHENTICATED) == 3);
            try (Socket fourth = idleFrom("127.0.0.2", target)) {
                assertThat(closedWithin(fourth, Duration.ofSeconds(10))).isTrue();
            }
            assertThat(server.reflector.metrics().connectionsRefused(PreAuthRefusals.SOURCE_LIMIT))
                    .isEqualTo(1);
            // The three are still held, and another address is served as usual.
            for (Socket s : held)
                assertThat(closedWithin(s, Duration.ofMillis(50))).isFalse();
            try (LinkClient c = server.connect(appliance)) {
                assertThat(c.hello()).isNotNull();
                // Authenticated, it no longer counts: three unauthenticated remain.
                assertThat(gauge(server, ReflectorMetrics.CONNECTIONS_UNAUTHENTICATED))
                        .isEqualTo(3);
            }
            // The refusal is counted, not audited as a failed handshake.
            for (JsonNode line : server.auditLines()) {
                assertThat(line.path("reason").asText()).doesNotContain("closed_before_handshake");
            }
        } finally {
            for (Socket s : held) s.close();
        }
    }

    @Test
    void whenTheUnauthenticatedPlacesAreTakenTheOldestMakesRoom() throws Exception {
        List<LinkClient> peers = new ArrayList<>();
        List<Socket> strangers = new ArrayList<>();
        // 16 connections at most, a quarter of them (4) unauthenticated.
        try (TestReflector server = start(c -> c.network.maxConnections = 16)) {
            InetSocketAddress target = server.reflector.controlAddress();
            ReflectorMetrics metrics = server.reflector.metrics();
            for (int i = 0; i < 5; i++) {
                LinkClient c = server.connect(appliance);
                peers.add(c);
                assertThat(c.hello()).isNotNull();
            }
            // Eight sources, one idle socket each, one after the other: from the fifth on, each
            // new one takes the place of the oldest.
            for (int i = 0; i < 8; i++) {
                strangers.add(idleFrom("127.0.0." + (i + 2), target));
                int held = Math.min(i + 1, 4);
                int evicted = Math.max(0, i - 3);
                await(
                        "stranger " + i + " in",
                        () -> gauge(server, ReflectorMetrics.CONNECTIONS_UNAUTHENTICATED) == held
                                && metrics.connectionsRefused(PreAuthRefusals.UNAUTHENTICATED_LIMIT) == evicted);
            }
            for (Socket s : strangers.subList(0, 4))
                assertThat(closedWithin(s, Duration.ofSeconds(5))).isTrue();
            for (Socket s : strangers.subList(4, 8))
                assertThat(closedWithin(s, Duration.ofMillis(100))).isFalse();
            // All four places are taken by idle sockets, yet a peer gets through its handshake,
            // and 10 of the 16 places are still free for more.
            LinkClient sixth = server.connect(appliance);
            peers.add(sixth);
            assertThat(sixth.hello()).isNotNull();
            assertThat(closedWithin(strangers.get(4), Duration.ofSeconds(5))).isTrue();
            assertThat(metrics.connectionsRefused(PreAuthRefusals.UNAUTHENTICATED_LIMIT))
                    .isEqualTo(5);
            for (LinkClient c : peers) assertThat(c.status()).isNotNull();
        } finally {
            for (LinkClient c : peers) c.close();
            for (Socket s : strangers) s.close();
        }
    }

    @Test
    void aSocketThatSendsNothingIsClosedAfterTheFirstByteTimeout() throws Exception {
        try (TestReflector server = start(c -> c.network.firstByteTimeoutMs = 300);
                Socket silent = idleFrom("127.0.0.2", server.reflector.controlAddress())) {
            long started = System.nanoTime();
            assertThat(closedWithin(silent, Duration.ofSeconds(10))).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
            await(
                    "counted",
                    () -> server.reflector.metrics().connectionsRefused(PreAuthRefusals.FIRST_BYTE_TIMEOUT) == 1);
            await("slot released", () -> gauge(server, ReflectorMetrics.CONNECTIONS_UNAUTHENTICATED) == 0);
            // A client that starts its handshake at once is not affected.
            try (LinkClient c = server.connect(appliance)) {
                assertThat(c.hello()).isNotNull();
            }
        }
    }
}
