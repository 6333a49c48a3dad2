package io.packetparamedic.reflector.client;

import io.packetparamedic.reflector.wire.Payload;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * A STAMP measurement as an appliance should run it: a {@code stamp} session long enough for
 * every test packet and the wait for the last answer, the packets sent to the granted port, then
 * {@code session_close}, also on failure or Ctrl-C.
 */
public final class StampTest {

    /** Told when the session is granted, before the first test packet. */
    public interface Listener {
        void granted(Payload.SessionGrant grant, StampSender.Settings settings);
    }

    public record Outcome(String testId, int port, StampSender.Result result) {}

    private final SessionRequester sessions;
    private final String host;

    public StampTest(SessionRequester sessions, String host) {
        this.sessions = sessions;
        this.host = host;
    }

    public Outcome run(StampSender.Settings settings, Listener listener)
            throws IOException, InterruptedException, SessionRefused {
        try (OpenSession session = sessions.open(
                        "stamp", new Payload.SessionParams(settings.sessionSeconds(), "udp", null, null));
                CtrlC interrupted = CtrlC.onInterrupt(session::release)) {
            Payload.SessionGrant grant = session.grant();
            if (listener != null) listener.granted(grant, settings);
            StampSender.Result result = new StampSender(new InetSocketAddress(host, grant.port())).run(settings);
            return new Outcome(grant.testId(), grant.port(), result);
        }
    }
}
