package io.packetparamedic.reflector.engine;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.packetparamedic.reflector.metrics.DurationHistogram;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The STAMP engine: for each session an RFC 8762 Session-Reflector (unauthenticated mode, or
 * authenticated mode when the request carries the session's key) on the granted UDP port, on the
 * same data path as UDP echo (the native path where its library loads, else Netty epoll;
 * recvmmsg/sendmmsg batches, token bucket, back-pressure drops), answering only datagrams from the owning control connection's IP
 * whatever {@code network.udp_echo_source_check} says: a STAMP packet carries no token, so the
 * source address is the only thing that ties it to the grant.
 *
 * <p>Publishes {@value #RESIDENCE} (T3 - T2 of every answer) and {@value #AUTH_FAILURES} (test
 * packets of authenticated sessions dropped for a missing or wrong HMAC) once bound to a registry.
 * Authentication failures are also logged, at most one line per {@value #AUTH_LOG_INTERVAL_SEC} s
 * with the count since the last: a forger must not be able to flood the log.
 */
public final class StampEngine implements DataEngine, MeterBinder, AutoCloseable {

    public static final String RESIDENCE = "reflector.stamp.residence";
    public static final String AUTH_FAILURES = "reflector.stamp.auth.failures";
    static final long AUTH_LOG_INTERVAL_SEC = 10;

    private static final Logger LOG = LoggerFactory.getLogger(StampEngine.class);

    private final UdpEchoEngine sockets;
    private final DurationHistogram residence;
    /** Counted from the start; published by {@link #bindTo}. */
    private final AtomicLong authFailures = new AtomicLong();

    private final LongSupplier nanoTime;
    /** Failures not yet logged, and when the last line was written (monotonic). */
    private final AtomicLong unloggedFailures = new AtomicLong();

    private final AtomicLong lastFailureLog = new AtomicLong(Long.MIN_VALUE);

    /**
     * @param maxPacketRate the packet rate a session may be answered at, read when it starts
     * @param nativePath whether a session may use the native data path, read when it starts
     */
    public StampEngine(LongSupplier maxPacketRate, BooleanSupplier nativePath) {
        this(() -> new UdpEchoEngine.Settings(maxPacketRate.getAsLong(), true, nativePath.getAsBoolean()));
    }

    /**
     * @param settings the echo settings a session runs with, read when it starts; STAMP always
     *     answers only the granted peer's address, whatever their source check says
     */
    public StampEngine(Supplier<UdpEchoEngine.Settings> settings) {
        this(settings, Clock.systemUTC(), System::nanoTime);
    }

    private StampEngine(Supplier<UdpEchoEngine.Settings> settings, Clock wallClock, LongSupplier nanoTime) {
        this.residence = new DurationHistogram(
                RESIDENCE,
                "Time from receiving a STAMP test packet (T2: the kernel's receive timestamp on the native path) to"
                        + " handing its answer to the socket (T3)");
        this.nanoTime = nanoTime;
        this.sockets = new UdpEchoEngine(
                () -> {
                    UdpEchoEngine.Settings s = settings.get();
                    return new UdpEchoEngine.Settings(s.maxPacketRate(), true, s.nativePath(), s.busyPollMicros());
                },
                1,
                "stamp",
                request -> new StampReflection(
                        wallClock,
                        nanoTime,
                        residence,
                        request.stampKey() == null ? null : request.stampKey().copy(),
                        () -> authFailed(request.testId())));
    }

    /** Counts a dropped packet; logs one line per interval at most, with the count since the last. */
    private void authFailed(String testId) {
        authFailures.incrementAndGet();
        unloggedFailures.incrementAndGet();
        long now = nanoTime.getAsLong();
        long last = lastFailureLog.get();
        if (last != Long.MIN_VALUE && now - last < TimeUnit.SECONDS.toNanos(AUTH_LOG_INTERVAL_SEC)) return;
        if (!lastFailureLog.compareAndSet(last, now)) return;
        long count = unloggedFailures.getAndSet(0);
        LOG.warn(
                "event=stamp_auth_failed test_id={} dropped={} cause=\"shorter than 112 octets or wrong HMAC\" "
                        + "next_line_in_sec={}",
                testId,
                count,
                AUTH_LOG_INTERVAL_SEC);
    }

    @Override
    public UdpEchoEngine.Echo start(EngineRequest request) throws EngineException {
        return sockets.start(request);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        FunctionCounter.builder(AUTH_FAILURES, authFailures, AtomicLong::get)
                .description(
                        "STAMP test packets of authenticated sessions dropped: shorter than 112 octets or a wrong HMAC")
                .register(registry);
        residence.bindTo(registry);
    }

    /** T3 - T2 of every answer, from the start. */
    public DurationHistogram residence() {
        return residence;
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
