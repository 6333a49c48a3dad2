package io.packetparamedic.reflector.client;

import io.packetparamedic.reflector.wire.Payload;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * A UDP echo measurement done the way an appliance should: a session long enough for every probe
 * and its late echoes, the probes classified against the packet rate the grant names (so the
 * reflector's policing is not reported as loss), then {@code session_close}, also on failure or Ctrl-C.
 */
public final class EchoTest {

    /** Told when the session is granted, before the first probe. */
    public interface Listener extends UdpEchoProbe.Listener {
        void granted(Payload.SessionGrant grant, UdpEchoProbe.Settings settings);
    }

    public record Outcome(
            String testId, Instant startedAt, UdpEchoProbe.Settings settings, UdpEchoProbe.Result result) {}

    private final SessionRequester sessions;
    private final String host;

    public EchoTest(SessionRequester sessions, String host) {
        this.sessions = sessions;
        this.host = host;
    }

    /** Seconds of session these settings need (the probes, the late window, a second of slack). */
    public static int sessionSeconds(UdpEchoProbe.Settings settings) {
        return (int) Math.min(Integer.MAX_VALUE, settings.spanSeconds() + 1);
    }

    public Outcome run(UdpEchoProbe.Settings requested, Listener listener)
            throws IOException, InterruptedException, SessionRefused {
        try (OpenSession session = sessions.open(
                        "udp_echo", new Payload.SessionParams(sessionSeconds(requested), "udp", null, null));
                CtrlC interrupted = CtrlC.onInterrupt(session::release)) {
            Payload.SessionGrant grant = session.grant();
            UdpEchoProbe.Settings settings =
                    grant.packetRate() == null ? requested : requested.withPacketRate(grant.packetRate());
            if (listener != null) listener.granted(grant, settings);
            Instant started = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            UdpEchoProbe.Result result =
                    new UdpEchoProbe(new InetSocketAddress(host, grant.port())).run(settings, listener);
            return new Outcome(grant.testId(), started, settings, result);
        }
    }
}
