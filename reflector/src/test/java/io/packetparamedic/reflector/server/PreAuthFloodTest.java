package io.packetparamedic.reflector.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.UnixOperatingSystemMXBean;
import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.reflector.client.LinkClient;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 item 2, performed: 1,030 TCP sockets from 127.0.0.2 that send no TLS bytes (a few
 * trickle a byte every 500 ms), reopened whenever the server drops them, while a legitimate
 * appliance on 127.0.0.1 connects, completes mutual TLS and says hello over and over. With the
 * default configuration at least 99 % of those hellos must succeed.
 */
class PreAuthFloodTest {

    static final int ATTACK_SOCKETS = 1030;
    static final int TRICKLERS = 30;
    /** Longer than the 10 s handshake timeout, so the attacker's sockets are dropped and reopened at least once. */
    static final Duration LEGITIMATE_PHASE = Duration.ofSeconds(12);
    /** Each of the two legitimate clients starts a connection this often (pacing, like a fleet would). */
    static final long ATTEMPT_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    @TempDir
    Path dir;

    private final Ed25519Identity appliance = Ed25519Identity.generate();
    private TestReflector server;

    @BeforeEach
    void start() throws IOException {
        // Everything else is the default configuration: the attack is against what ships.
        server = TestReflector.start(dir, c -> c.access.authorizedPeers.add(appliance.endpointId().toString()));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void idleSocketsFromOneAddressDoNotStopLegitimateHellos() throws Exception {
        // Both ends of the attack live in this JVM: up to 1,030 client sockets and, on a server
        // without the limits, as many accepted ones.
        if (ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean os) {
            assertThat(os.getMaxFileDescriptorCount())
                    .as("open-file limit for the attack (raise ulimit -n)")
                    .isGreaterThanOrEqualTo(2 * ATTACK_SOCKETS + 512L);
        }
        int attempts;
        int succeeded;
        List<String> failures = new ArrayList<>();
        try (SlowLoris attack = SlowLoris.start(server.reflector.controlAddress(), "127.0.0.2",
                ATTACK_SOCKETS, TRICKLERS, 200)) {
            assertThat(attack.awaitRampUp(20, TimeUnit.SECONDS)).as("attack ramp-up").isTrue();

            AtomicInteger ok = new AtomicInteger();
            AtomicInteger tried = new AtomicInteger();
            long deadline = System.nanoTime() + LEGITIMATE_PHASE.toNanos();
            ExecutorService clients = Executors.newFixedThreadPool(2);
            try {
                List<Future<?>> running = new ArrayList<>();
                for (int t = 0; t < 2; t++) {
                    running.add(clients.submit(() -> {
                        long next = System.nanoTime();
                        while (next < deadline) {
                            long wait = next - System.nanoTime();
                            if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
                            next += ATTEMPT_INTERVAL_NANOS;
                            tried.incrementAndGet();
                            try (LinkClient c = server.connect(appliance)) {
                                c.hello();
                                ok.incrementAndGet();
                            } catch (IOException e) {
                                synchronized (failures) {
                                    if (failures.size() < 5) failures.add(e.toString());
                                }
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : running) f.get(LEGITIMATE_PHASE.toSeconds() + 30, TimeUnit.SECONDS);
            } finally {
                clients.shutdownNow();
            }
            attempts = tried.get();
            succeeded = ok.get();
            // The attack was real: every socket opened, and the server had to refuse and drop them.
            assertThat(attack.opened()).isGreaterThanOrEqualTo(ATTACK_SOCKETS);
            assertThat(server.reflector.metrics().connectionsRefused(PreAuthRefusals.SOURCE_LIMIT))
                    .isGreaterThanOrEqualTo(ATTACK_SOCKETS - server.config.network.maxUnauthenticatedPerSource);
            System.out.printf("event=preauth_flood_result hellos_ok=%d hellos_tried=%d attacker_open=%d "
                            + "attacker_opened=%d attacker_dropped=%d%n",
                    succeeded, attempts, attack.connected(), attack.opened(), attack.closedByServer());
        }
        assertThat(attempts).as("legitimate attempts").isGreaterThanOrEqualTo(50);
        assertThat((double) succeeded / attempts)
                .as("share of %d legitimate hellos that succeeded under attack; first failures %s", attempts, failures)
                .isGreaterThanOrEqualTo(0.99);
    }
}
