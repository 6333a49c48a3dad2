package io.packetparamedic.reflector.engine;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * The STAMP engine: for each session an RFC 8762 Session-Reflector (unauthenticated mode) on the
 * granted UDP port, on the same data path as UDP echo (the native path where its library loads,
 * else Netty epoll; recvmmsg/sendmmsg batches, token bucket, back-pressure drops), answering only datagrams from the owning control connection's IP
 * whatever {@code network.udp_echo_source_check} says: a STAMP packet carries no token, so the
 * source address is the only thing that ties it to the grant.
 *
 * <p>Publishes {@value #RESIDENCE} (T3 - T2 of every answer) once bound to a registry.
 */
public final class StampEngine implements DataEngine, MeterBinder, AutoCloseable {

    public static final String RESIDENCE = "reflector.stamp.residence";

    private final UdpEchoEngine sockets;
    /** Meters live here from the start; {@link #bindTo} adds the scraped registry. */
    private final CompositeMeterRegistry meters = new CompositeMeterRegistry();

    private final Timer residence;

    /**
     * @param maxPacketRate the packet rate a session may be answered at, read when it starts
     * @param nativePath whether a session may use the native data path, read when it starts
     */
    public StampEngine(LongSupplier maxPacketRate, BooleanSupplier nativePath) {
        this(maxPacketRate, nativePath, Clock.systemUTC(), System::nanoTime);
    }

    StampEngine(LongSupplier maxPacketRate, BooleanSupplier nativePath, Clock wallClock, LongSupplier nanoTime) {
        this.residence = Timer.builder(RESIDENCE)
                .description("Time from receiving a STAMP test packet (T2: the kernel's receive timestamp on the"
                        + " native path) to handing its answer to the socket (T3)")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(500))
                .maximumExpectedValue(Duration.ofMillis(100))
                .register(meters);
        this.sockets = new UdpEchoEngine(
                () -> new UdpEchoEngine.Settings(maxPacketRate.getAsLong(), true, nativePath.getAsBoolean()),
                1,
                "stamp",
                () -> new StampReflection(wallClock, nanoTime, nanos -> residence.record(nanos, TimeUnit.NANOSECONDS)));
    }

    @Override
    public UdpEchoEngine.Echo start(EngineRequest request) throws EngineException {
        return sockets.start(request);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        meters.add(registry);
    }

    public boolean nativeTransport() {
        return sockets.nativeTransport();
    }

    /** The transport the next session gets: {@code native}, {@code epoll} or {@code nio}. */
    public String transport() {
        return sockets.transport();
    }

    @Override
    public void close() {
        sockets.close();
    }
}
