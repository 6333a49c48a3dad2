package io.packetparamedic.reflector.client;

import io.packetparamedic.reflector.wire.Payload;
import java.io.IOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * One direction of the standard speed test, done the way an appliance should: a session with the
 * requested duration and streams (waiting out {@code busy} or a cooldown through the
 * {@link SessionRequester}), iperf3 for the <em>granted</em> duration and streams, then
 * {@code session_close}, also when iperf3 failed or the user pressed Ctrl-C.
 */
public final class ThroughputTest {

    /** Told when the session is granted, before iperf3 starts. */
    public interface Listener extends ThroughputRunner.Listener {
        void granted(String direction, Payload.SessionGrant grant, int durationSec, int streams);
    }

    /** One measured direction ({@code upload} or {@code download}). */
    public record Direction(
            String direction,
            String testId,
            Instant startedAt,
            int durationSec,
            int streams,
            ThroughputRunner.Result result) {}

    private final SessionRequester sessions;
    private final ThroughputRunner runner;
    private final String host;

    public ThroughputTest(SessionRequester sessions, ThroughputRunner runner, String host) {
        this.sessions = sessions;
        this.runner = runner;
        this.host = host;
    }

    public Direction run(boolean reverse, int durationSec, int streams, Listener listener)
            throws IOException, InterruptedException, SessionRefused {
        String name = reverse ? "download" : "upload";
        try (OpenSession session =
                        sessions.open("throughput", new Payload.SessionParams(durationSec, "tcp", streams, reverse));
                CtrlC interrupted = CtrlC.onInterrupt(() -> {
                    // The reflector first: it stops its iperf3 and frees the slot; then ours.
                    session.release();
                    runner.abort();
                })) {
            int duration = session.durationSec(durationSec);
            int granted = session.streams(streams);
            if (listener != null) listener.granted(name, session.grant(), duration, granted);
            Instant started = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            ThroughputRunner.Result result =
                    runner.measure(host, session.grant().port(), duration, granted, reverse, listener);
            return new Direction(name, session.grant().testId(), started, duration, granted, result);
        }
    }
}
