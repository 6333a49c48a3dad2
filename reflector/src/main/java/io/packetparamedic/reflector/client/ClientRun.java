package io.packetparamedic.reflector.client;

import io.packetparamedic.reflector.wire.Payload;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * One client run in the order a well-behaved appliance follows: {@code hello}; every planned test
 * checked against the reflector's policy before any session is asked for; the throughput
 * directions one after the other, each in its own session, waiting out the cooldown between them;
 * then the UDP echo. A refused session ends the run with the reflector's reason in the report; a
 * failed iperf3 is reported and the run goes on with the next test (its session was closed); a
 * control connection lost after {@code hello} ends the run with the results so far.
 */
public final class ClientRun {

    /** What to run; {@code echo} null for no UDP echo, {@code directions} empty for no throughput. */
    public record Plan(List<Boolean> reverseFlags, int durationSec, int streams, UdpEchoProbe.Settings echo) {

        /** The first problem with these settings, checked before anything is sent; null when fine. */
        public String problem() {
            if (!reverseFlags.isEmpty() && (durationSec < 1 || durationSec > 3600)) {
                return "--duration must be 1-3600 seconds, got " + durationSec;
            }
            if (!reverseFlags.isEmpty() && (streams < 1 || streams > 128)) {
                return "--streams must be 1-128, got " + streams;
            }
            return null;
        }
    }

    /** Everything a display wants to know while the run goes on. */
    public interface Progress extends ThroughputTest.Listener, EchoTest.Listener, SessionRequester.Countdown {}

    private ClientRun() {}

    /**
     * @throws IllegalArgumentException when the reflector's policy rules a planned test out (no session was requested)
     * @throws IOException when the control connection fails before or during {@code hello}
     */
    public static RunReport execute(
            LinkClient link, String host, Plan plan, String iperf3, Duration patience, Progress progress)
            throws IOException, InterruptedException {
        Payload.ServerHello hello;
        synchronized (link) {
            hello = link.hello();
        }
        if (!plan.reverseFlags().isEmpty()) Preflight.check(hello, "throughput", plan.durationSec());
        if (plan.echo() != null) Preflight.check(hello, "udp_echo", EchoTest.sessionSeconds(plan.echo()));
        RunReport report = new RunReport(
                link.serverEndpointId() + "@" + host, Instant.now().truncatedTo(ChronoUnit.MILLIS));
        SessionRequester sessions = new SessionRequester(link, patience, progress);
        try {
            ThroughputTest throughput = new ThroughputTest(sessions, new ThroughputRunner(iperf3), host);
            for (boolean reverse : plan.reverseFlags()) {
                report.add(throughput.run(reverse, plan.durationSec(), plan.streams(), progress));
            }
            if (plan.echo() != null) report.add(new EchoTest(sessions, host).run(plan.echo(), progress));
        } catch (SessionRefused e) {
            report.error(e.getMessage());
        } catch (IOException e) {
            // The results so far stay in the report; a soak reconnects for its next cycle.
            report.error("the control connection to the reflector failed: " + e.getMessage());
        }
        return report;
    }
}
