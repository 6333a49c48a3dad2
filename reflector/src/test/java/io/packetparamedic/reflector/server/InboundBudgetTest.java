package io.packetparamedic.reflector.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.reflector.auth.PairingWindowInfo;
import io.packetparamedic.reflector.client.LinkClient;
import io.packetparamedic.reflector.metrics.ReflectorMetrics;
import io.packetparamedic.reflector.wire.FrameLimits;
import io.packetparamedic.reflector.wire.Payload;
import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 item 7, performed: partial large frames from many connections used to exhaust direct
 * memory. Now frames are limited to 16 KiB until an authorized peer has said hello, and the bytes
 * of incomplete frames across all connections stay within {@code max_buffered_inbound_bytes}.
 */
class InboundBudgetTest {

    /** The smallest budget the configuration accepts is one largest frame; four fit here. */
    static final long BUDGET = 4L * 1024 * 1024;

    static final int FLOODERS = 12;
    static final int PARTIAL_BODY = 512 * 1024;

    @TempDir
    Path dir;

    private final Ed25519Identity appliance = Ed25519Identity.generate();
    private TestReflector server;

    @BeforeEach
    void start() throws IOException {
        server = TestReflector.start(dir, c -> {
            c.access.authorizedPeers.add(appliance.endpointId().toString());
            c.network.maxBufferedInboundBytes = BUDGET;
        });
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private ReflectorMetrics metrics() {
        return server.reflector.metrics();
    }

    private double bufferedGauge() {
        return metrics()
                .registry()
                .get(ReflectorMetrics.INBOUND_BUFFERED)
                .gauge()
                .value();
    }

    /** A get_status request padded with spaces to exactly {@code size} bytes of JSON. */
    private static byte[] paddedStatusRequest(int size) {
        byte[] body = new byte[size];
        Arrays.fill(body, (byte) ' ');
        byte[] json = "{\"request_id\":\"big\",\"payload\":{\"type\":\"get_status\"}}".getBytes(StandardCharsets.UTF_8);
        System.arraycopy(json, 0, body, 0, json.length);
        return body;
    }

    private static byte[] lengthPrefix(long length) {
        return ByteBuffer.allocate(4).putInt((int) length).array();
    }

    /** Polls a server-side condition that no event announces (as TestReflector.awaitAudit does). */
    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("not within 15 s: " + what);
            Thread.sleep(20);
        }
    }

    @Test
    void aFrameAbove16KiBBeforeHelloClosesTheConnection() throws Exception {
        try (LinkClient c = server.connect(appliance)) {
            c.sendRawBytes(lengthPrefix(FrameLimits.MAX_FRAME_BYTES_BEFORE_HELLO + 1L));
            c.sendRawBytes(new byte[1024]);
            assertThat(c.awaitClosedByServer()).isTrue();
        }
        await(
                "frame_too_large_before_hello counted",
                () -> metrics().inboundRefusals(FrameDecoder.TOO_LARGE_BEFORE_HELLO) == 1);
        try (LinkClient c = server.connect(appliance)) {
            assertThat(c.hello()).isNotNull();
        }
    }

    @Test
    void aFrameOfExactly16KiBBeforeHelloIsAnswered() throws Exception {
        try (LinkClient c = server.connect(appliance)) {
            c.sendRawFrame(paddedStatusRequest(FrameLimits.MAX_FRAME_BYTES_BEFORE_HELLO));
            assertThat(c.receive().payload()).isInstanceOf(Payload.StatusSnapshot.class);
        }
    }

    @Test
    void aPeerThatMayOnlyPairKeepsThe16KiBLimitAfterHello() throws Exception {
        PairingWindowInfo window = server.reflector.openPairingWindow(Duration.ofMinutes(10), Optional.empty());
        assertThat(window).isNotNull();
        Ed25519Identity stranger = Ed25519Identity.generate();
        try (LinkClient c = server.connect(stranger)) {
            assertThat(c.hello()).isNotNull();
            c.sendRawBytes(lengthPrefix(64 * 1024));
            c.sendRawBytes(new byte[1024]);
            assertThat(c.awaitClosedByServer()).isTrue();
        }
        await(
                "frame_too_large_before_hello counted",
                () -> metrics().inboundRefusals(FrameDecoder.TOO_LARGE_BEFORE_HELLO) == 1);
    }

    @Test
    void partialLargeFramesFromManyConnectionsStayWithinTheBudget() throws Exception {
        List<LinkClient> flooders = new ArrayList<>();
        byte[] request = paddedStatusRequest(FrameLimits.MAX_FRAME_BYTES);
        double peak = 0;
        try {
            for (int i = 0; i < FLOODERS; i++) {
                LinkClient c = server.connect(appliance);
                flooders.add(c);
                assertThat(c.hello()).isNotNull();
            }
            // Each announces 1 MiB and sends half of it: 12 × 512 KiB = 6 MiB against a 4 MiB budget.
            for (LinkClient c : flooders) {
                try {
                    c.sendRawBytes(lengthPrefix(request.length));
                    c.sendRawBytes(Arrays.copyOf(request, PARTIAL_BODY));
                } catch (IOException refusedAlready) {
                    // the server may already have closed this one
                }
                peak = Math.max(peak, bufferedGauge());
            }
            // Of 6 MiB (less a 16 KiB allowance each) at most 4 MiB fits: at least four are refused.
            await(
                    "four connections refused for the budget",
                    () -> metrics().inboundRefusals(InboundBudgetGuard.REASON) >= 4);
            peak = Math.max(peak, bufferedGauge());
            assertThat(peak)
                    .as("bytes held in incomplete frames, all connections")
                    .isLessThanOrEqualTo(BUDGET);

            // A legitimate client is still served while the budget is full.
            try (LinkClient legit = server.connect(appliance)) {
                assertThat(legit.hello()).isNotNull();
                assertThat(legit.status()).isNotNull();
            }

        } finally {
            for (LinkClient c : flooders) c.close();
        }
        // Once they are gone, their bytes are given back and a largest frame fits again.
        await("the budget is empty again", () -> bufferedGauge() == 0);
        try (LinkClient c = server.connect(appliance)) {
            assertThat(c.hello()).isNotNull();
            c.sendRawFrame(request);
            assertThat(c.receive().payload()).isInstanceOf(Payload.StatusSnapshot.class);
        }
    }

    /** Direct memory in use: Netty's allocator and the JVM's direct buffer pool, whichever says more. */
    private static long directMemoryUsed() {
        long netty = ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider p
                ? p.metric().usedDirectMemory()
                : 0;
        long jvm = 0;
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) jvm = pool.getMemoryUsed();
        }
        return Math.max(netty, jvm);
    }

    /**
     * The attack as reported, against the default budget: 60 connections each send all but one
     * byte of a 1 MiB frame. Before the budget, direct memory grew by about 2.5 MiB per connection
     * (146 MiB for these 60), past the 128 MiB that the launcher's -Xmx128m allows: OutOfMemoryError.
     */
    @Test
    void partialLargeFramesCannotExhaustDirectMemory() throws Exception {
        int connections = 60;
        byte[] almostAll = new byte[FrameLimits.MAX_FRAME_BYTES - 1];
        List<LinkClient> flooders = new ArrayList<>();
        try (TestReflector defaults = TestReflector.start(
                dir.resolve("defaults"),
                c -> c.access.authorizedPeers.add(appliance.endpointId().toString()))) {
            ReflectorMetrics m = defaults.reflector.metrics();
            long budget = defaults.config.network.maxBufferedInboundBytes;
            long base = directMemoryUsed();
            long peak = 0;
            try {
                for (int i = 0; i < connections; i++) {
                    LinkClient c = defaults.connect(appliance);
                    flooders.add(c);
                    assertThat(c.hello()).isNotNull();
                    try {
                        c.sendRawBytes(lengthPrefix(FrameLimits.MAX_FRAME_BYTES));
                        c.sendRawBytes(almostAll);
                    } catch (IOException refusedAlready) {
                        // closed for the budget while sending
                    }
                    peak = Math.max(peak, directMemoryUsed() - base);
                }
                // At most 16 of the 1 MiB partial frames fit in 16 MiB: at least 44 are refused.
                long survivors = budget / (FrameLimits.MAX_FRAME_BYTES + 4 - ControlServer.SMALL_FRAME_ALLOWANCE);
                await(
                        "the rest refused",
                        () -> m.inboundRefusals(InboundBudgetGuard.REASON) >= connections - survivors);
                peak = Math.max(peak, directMemoryUsed() - base);
                try (LinkClient legit = defaults.connect(appliance)) {
                    assertThat(legit.hello()).isNotNull();
                }
            } finally {
                for (LinkClient c : flooders) c.close();
            }
            System.out.printf(
                    "event=inbound_flood_result connections=%d refused=%.0f direct_memory_growth_peak_mib=%.1f%n",
                    connections, m.inboundRefusals(InboundBudgetGuard.REASON), peak / 1048576.0);
            assertThat(peak).as("direct memory growth under the flood").isLessThan(96L * 1024 * 1024);
        }
    }
}
