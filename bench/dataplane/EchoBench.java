import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.packetparamedic.reflector.engine.EngineRequest;
import io.packetparamedic.reflector.engine.StampEngine;
import io.packetparamedic.reflector.engine.UdpEchoEngine;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.util.concurrent.TimeUnit;

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
        // The registry /metrics serves: its histogram buckets are cumulative over the process's life.
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        AutoCloseable engine;
        UdpEchoEngine.Echo session;
        String transport;
        if (mode.startsWith("stamp")) {
            StampEngine stamp = new StampEngine(() -> settings);
            stamp.bindTo(registry);
            transport = stamp.transport();
            session = stamp.start(request);
            engine = stamp;
        } else {
            UdpEchoEngine echo = new UdpEchoEngine(() -> settings);
            transport = echo.transport();
            session = echo.start(request);
            engine = echo;
        }
        System.out.println("ready " + transport);
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        CountAtBucket[] previous = residenceBuckets(registry);
        String line;
        while ((line = in.readLine()) != null) {
            if (!line.trim().equals("residence")) continue;
            CountAtBucket[] now = residenceBuckets(registry);
            System.out.println("residence " + percentiles(previous, now));
            System.out.flush();
            previous = now;
        }
        session.stop();
        session.completion().get();
        engine.close();
    }

    private static CountAtBucket[] residenceBuckets(PrometheusMeterRegistry registry) {
        Timer timer = registry.find(StampEngine.RESIDENCE).timer();
        return timer == null ? new CountAtBucket[0] : timer.takeSnapshot().histogramCounts();
    }

    /** "p50 p99 count" of the answers between two cumulative bucket snapshots. */
    private static String percentiles(CountAtBucket[] before, CountAtBucket[] after) {
        if (after.length == 0) return "- - 0";
        double total = after[after.length - 1].count() - (before.length == 0 ? 0 : before[before.length - 1].count());
        String p50 = "-";
        String p99 = "-";
        for (int i = 0; i < after.length; i++) {
            double count = after[i].count() - (before.length == 0 ? 0 : before[i].count());
            String bound = String.format("%.1f", after[i].bucket(TimeUnit.MICROSECONDS));
            if (p50.equals("-") && count >= 0.5 * total) p50 = bound;
            if (p99.equals("-") && count >= 0.99 * total) p99 = bound;
        }
        return p50 + " " + p99 + " " + (long) total;
    }
}
