import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.packetparamedic.reflector.engine.EngineRequest;
import io.packetparamedic.reflector.engine.StampEngine;
import io.packetparamedic.reflector.engine.UdpEchoEngine;
import io.packetparamedic.reflector.metrics.DurationHistogram;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;

/**
 * Runs one reflector data-path session on PORT (rate limit out of the way) until stdin closes.
 * MODE: echo-native | echo-netty (UDP echo) | stamp-native | stamp-netty (STAMP); the transport
 * that ran is printed as "ready TRANSPORT". A "residence" line on stdin prints the STAMP residence
 * (T3 - T2) p50 and p99 in microseconds, as the upper bounds of the exported histogram's buckets,
 * and the count, of the answers since the previous "residence" line.
 */
public class EchoBench {
    private static final InetAddress OWNER = InetAddress.getLoopbackAddress();

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        String mode = args.length > 1 ? args[1] : "echo-native";
        boolean nativePath = mode.endsWith("-native");
        // BUSY_POLL_US: network.busy_poll_us of the reflector under test (its default when unset).
        String busyPoll = System.getenv("BUSY_POLL_US");
        UdpEchoEngine.Settings settings = new UdpEchoEngine.Settings(
                1_000_000_000L,
                true,
                nativePath,
                busyPoll == null || busyPoll.isBlank()
                        ? UdpEchoEngine.Settings.DEFAULT_BUSY_POLL_MICROS
                        : Integer.parseInt(busyPoll));
        EngineRequest request = new EngineRequest("bench", port, 3600, OWNER);
        // The registry /metrics serves, bound as the reflector binds it.
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        AutoCloseable engine;
        DurationHistogram residence = null;
        UdpEchoEngine.Echo session;
        String transport;
        if (mode.startsWith("stamp")) {
            StampEngine stamp = new StampEngine(() -> settings);
            stamp.bindTo(registry);
            transport = stamp.transport();
            session = stamp.start(request);
            engine = stamp;
            residence = stamp.residence();
        } else {
            UdpEchoEngine echo = new UdpEchoEngine(() -> settings);
            transport = echo.transport();
            session = echo.start(request);
            engine = echo;
        }
        System.out.println("ready " + transport);
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        DurationHistogram.Snapshot previous = residence == null ? null : residence.snapshot();
        String line;
        while ((line = in.readLine()) != null) {
            if (!line.trim().equals("residence")) continue;
            DurationHistogram.Snapshot now = residence == null ? null : residence.snapshot();
            System.out.println("residence " + percentiles(previous, now));
            System.out.flush();
            previous = now;
        }
        session.stop();
        session.completion().get();
        engine.close();
    }

    /** "p50 p99 count" of the answers between two snapshots, p50 and p99 as bucket bounds in us. */
    private static String percentiles(DurationHistogram.Snapshot before, DurationHistogram.Snapshot after) {
        if (after == null) return "- - 0";
        return micros(after.quantileBound(0.5, before)) + " " + micros(after.quantileBound(0.99, before)) + " "
                + (after.count() - before.count());
    }

    private static String micros(long boundNanos) {
        if (boundNanos < 0) return "-";
        return boundNanos == Long.MAX_VALUE ? "inf" : String.format("%.1f", boundNanos / 1000.0);
    }
}
