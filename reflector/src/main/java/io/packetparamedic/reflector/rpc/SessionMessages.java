package io.packetparamedic.reflector.rpc;

import io.packetparamedic.api.time.Rfc3339;
import io.packetparamedic.reflector.session.CloseOutcome;
import io.packetparamedic.reflector.session.RunningTest;
import io.packetparamedic.reflector.session.SessionDecision;
import io.packetparamedic.reflector.session.StampMode;
import io.packetparamedic.reflector.session.TestRequest;
import io.packetparamedic.reflector.wire.Payload;

/**
 * The session messages of spec section 5 and the session layer's terms, each way: a
 * {@code session_request} becomes a {@link TestRequest}, and a decision, a close outcome or the
 * running test becomes the message the appliance reads. The session layer never sees a message.
 */
public final class SessionMessages {

    /** The one grant mode this reflector offers: a fresh data port per test. */
    static final String MODE = "direct_ephemeral";

    private SessionMessages() {}

    public static TestRequest request(Payload.SessionRequest message) {
        Payload.SessionParams p = message.params();
        return new TestRequest(
                message.testType(),
                p == null
                        ? null
                        : new TestRequest.Params(
                                p.durationSec(), p.protocol(), p.streams(), p.reverse(), p.stampMode()));
    }

    /** {@code session_grant} or {@code session_deny}. */
    public static Payload decision(SessionDecision decision) {
        if (decision instanceof SessionDecision.Granted g) {
            return new Payload.SessionGrant(
                    g.testId(),
                    MODE,
                    g.port(),
                    g.token(),
                    Rfc3339.format(g.expiresAt()),
                    g.durationSec(),
                    g.streams(),
                    g.packetRate(),
                    g.cooldownSec(),
                    g.bytesRemainingToday(),
                    g.stampModes() == null
                            ? null
                            : g.stampModes().stream().map(StampMode::wire).toList());
        }
        SessionDecision.Denied d = (SessionDecision.Denied) decision;
        return new Payload.SessionDeny(d.reason().wire(), d.message(), d.retryAfterSec());
    }

    /** The answer to {@code session_close}. */
    public static Payload closed(CloseOutcome outcome) {
        return switch (outcome) {
            case CLOSED -> new Payload.Ok();
            case NO_SUCH_TEST -> new Payload.Error(404, "no such test");
            case NOT_OWNER -> new Payload.Error(403, "the test belongs to another peer");
        };
    }

    /** The {@code active_test} of a status snapshot. */
    public static Payload.ActiveTest activeTest(RunningTest test) {
        return new Payload.ActiveTest(
                test.testId(),
                test.testType().wire(),
                test.peerId(),
                Rfc3339.format(test.startedAt()),
                test.remainingSec());
    }
}
