package io.packetparamedic.reflector.client;

import io.packetparamedic.reflector.wire.Payload;
import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Asks for sessions as a well-behaved appliance does: when the reflector answers {@code busy} or
 * {@code rate_limited} with a {@code retry_after_sec} that fits in the caller's patience, it waits
 * that long (telling the caller once a second, for a countdown) and asks again; otherwise it gives
 * up with the reflector's reason in plain words. A grant without a usable data port is closed at
 * once, so it does not hold the reflector's slot.
 */
public final class SessionRequester {

    /** Told once a second while waiting: why, and the whole seconds left before asking again. */
    public interface Countdown {
        void waiting(String why, long secondsLeft);
    }

    private static final Set<String> WORTH_WAITING = Set.of("busy", "rate_limited");

    private final LinkClient link;
    private final Duration patience;
    private final Countdown countdown;

    public SessionRequester(LinkClient link, Duration patience, Countdown countdown) {
        this.link = link;
        this.patience = patience;
        this.countdown = countdown;
    }

    public OpenSession open(String testType, Payload.SessionParams params)
            throws IOException, InterruptedException, SessionRefused {
        long giveUpAt = System.nanoTime() + patience.toNanos();
        while (true) {
            Payload answer;
            synchronized (link) {
                answer = link.sessionRequest(testType, params);
            }
            if (answer instanceof Payload.SessionGrant grant) return usable(testType, grant);
            Payload.SessionDeny deny = (Payload.SessionDeny) answer;
            Long retry = deny.retryAfterSec();
            long left = TimeUnit.NANOSECONDS.toSeconds(giveUpAt - System.nanoTime());
            if (!WORTH_WAITING.contains(deny.reason()) || retry == null || retry > left) {
                throw new SessionRefused(deny.reason(), refusal(testType, deny, left));
            }
            waitFor(deny.reason(), retry);
        }
    }

    private OpenSession usable(String testType, Payload.SessionGrant grant) throws SessionRefused {
        OpenSession session = new OpenSession(link, grant);
        if (grant.port() <= 0 || grant.port() > 65535) {
            session.close();
            throw new SessionRefused(
                    "no_data_port",
                    "the reflector granted " + testType + " session " + grant.testId()
                            + " but named no usable data port (" + grant.port()
                            + "); this client closed the session again. "
                            + "The reflector is misconfigured: ask its operator to check its data port range and its log for this session");
        }
        return session;
    }

    private void waitFor(String reason, long seconds) throws InterruptedException {
        String why = reason.equals("busy")
                ? "the reflector is busy with another test"
                : "the reflector's cooldown between tests";
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        for (long left = seconds; left > 0; left--) {
            if (countdown != null) countdown.waiting(why, left);
            long sleep = until - TimeUnit.SECONDS.toNanos(left - 1) - System.nanoTime();
            if (sleep > 0) TimeUnit.NANOSECONDS.sleep(sleep);
        }
    }

    private String refusal(String testType, Payload.SessionDeny deny, long patienceLeft) {
        String said = "the reflector refused the " + testType + " test (" + deny.reason() + "): " + deny.message();
        if (WORTH_WAITING.contains(deny.reason()) && deny.retryAfterSec() != null) {
            return said + "; waiting " + deny.retryAfterSec() + " s is more than this client's --max-wait leaves ("
                    + Math.max(0, patienceLeft) + " s), so it gave up";
        }
        return said;
    }
}
