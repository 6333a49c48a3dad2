package io.packetparamedic.reflector.client;

import io.packetparamedic.reflector.engine.StampHmac;
import io.packetparamedic.reflector.tls.KeyingMaterialExporter;
import io.packetparamedic.reflector.wire.Payload;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * A STAMP measurement as an appliance should run it: a {@code stamp} session long enough for
 * every test packet and the wait for the last answer, the packets sent to the granted port, then
 * {@code session_close}, also on failure or Ctrl-C.
 *
 * <p>Authenticated, the session is asked for with {@code stamp_mode = authenticated}; the grant
 * must list that mode (a reflector that predates it grants an unauthenticated session and says
 * nothing), and the key is derived from this client's own side of the control connection's TLS.
 */
public final class StampTest {

    /** Told when the session is granted, before the first test packet. */
    public interface Listener {
        void granted(Payload.SessionGrant grant, StampSender.Settings settings);
    }

    public record Outcome(String testId, int port, StampSender.Result result) {}

    static final String AUTHENTICATED = "authenticated";

    private final SessionRequester sessions;
    private final String host;
    private final KeyingMaterialExporter tls;

    /** Unauthenticated STAMP only. */
    public StampTest(SessionRequester sessions, String host) {
        this(sessions, host, KeyingMaterialExporter.NONE);
    }

    /** @param tls the control connection's exporter, for authenticated sessions' keys */
    public StampTest(SessionRequester sessions, String host, KeyingMaterialExporter tls) {
        this.sessions = sessions;
        this.host = host;
        this.tls = tls;
    }

    public Outcome run(StampSender.Settings settings, Listener listener)
            throws IOException, InterruptedException, SessionRefused {
        if (settings.authenticated() && !tls.available()) {
            throw new SessionRefused(
                    "no_tls_exporter",
                    "authenticated STAMP derives its key from the control connection's TLS 1.3 exporter, which "
                            + "this client's TLS provider lacks on Java "
                            + Runtime.version().feature()
                            + "; use --tls-provider bc");
        }
        Payload.SessionParams params = new Payload.SessionParams(
                settings.sessionSeconds(), "udp", null, null, settings.authenticated() ? AUTHENTICATED : null);
        try (OpenSession session = sessions.open("stamp", params);
                CtrlC interrupted = CtrlC.onInterrupt(session::release)) {
            Payload.SessionGrant grant = session.grant();
            StampSender sender = new StampSender(new InetSocketAddress(host, grant.port()));
            if (settings.authenticated()) {
                if (grant.stampModes() == null || !grant.stampModes().contains(AUTHENTICATED)) {
                    throw new SessionRefused(
                            "no_authenticated_stamp",
                            "the reflector granted session " + grant.testId()
                                    + " without offering authenticated STAMP (it predates it); this client closed "
                                    + "the session again");
                }
                Optional<StampHmac> key = StampHmac.forSession(tls, grant.testId());
                if (key.isEmpty()) {
                    throw new SessionRefused(
                            "no_tls_exporter",
                            "this client's TLS connection gave no key for session " + grant.testId());
                }
                sender = new StampSender(new InetSocketAddress(host, grant.port()), key.get());
            }
            if (listener != null) listener.granted(grant, settings);
            return new Outcome(grant.testId(), grant.port(), sender.run(settings));
        }
    }
}
