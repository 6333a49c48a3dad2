package io.packetparamedic.reflector.session;

import io.packetparamedic.reflector.governance.PlainWords;
import io.packetparamedic.reflector.wire.DenyReason;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The session layer's part of a graceful shutdown: from {@link SessionManager#drain} on, new
 * tests are refused as {@code busy} with {@code retry_after_sec} (the deployed appliance client
 * understands both), while the running ones finish.
 *
 * <p>One exception keeps a field speed test whole: the appliance runs an upload test and, about
 * half a second after it ends, a download test. A peer whose test was running when the drain
 * began may therefore start one more test, if that one ends (with its grace) before the drain
 * period does; and the drain waits {@link #FOLLOW_UP_WAIT_SEC} s after the last test for it.
 * Guarded by the session manager's lock.
 */
final class SessionDrain {

    /** How long an emptied reflector still waits for the second half of a back-to-back speed test. */
    static final int FOLLOW_UP_WAIT_SEC = 3;
    /** Added to retry_after_sec: the time a restarted reflector needs before it listens again. */
    static final long RESTART_ALLOWANCE_SEC = 10;

    private final Instant deadline;
    private final Set<String> mayFollowUp;
    private final CompletableFuture<Void> done = new CompletableFuture<>();

    SessionDrain(Instant deadline, Set<String> peersWithRunningTests) {
        this.deadline = deadline;
        this.mayFollowUp = new HashSet<>(peersWithRunningTests);
    }

    /**
     * Null when the request may go ahead (a follow-up that fits, which uses the peer's one
     * follow-up), else the refusal to send. {@code lastExpiry} is when the last running test
     * expires, if any is running.
     */
    SessionDecision.Denied admit(String peerId, int durationSec, Instant now, Instant lastExpiry) {
        Instant wouldEnd = now.plusSeconds(durationSec + Session.GRACE_SEC);
        if (!wouldEnd.isAfter(deadline) && mayFollowUp.remove(peerId)) return null;
        Instant exitBy = lastExpiry == null ? now : lastExpiry.isBefore(deadline) ? lastExpiry : deadline;
        long retry = Math.max(0, Duration.between(now, exitBy).toSeconds()) + RESTART_ALLOWANCE_SEC;
        return new SessionDecision.Denied(
                DenyReason.BUSY,
                "the reflector is restarting and takes no new tests; " + "try again in " + PlainWords.duration(retry),
                retry);
    }

    /** True when no follow-up is still possible, so an empty reflector may stop at once. */
    boolean noFollowUpPending() {
        return mayFollowUp.isEmpty();
    }

    /** Every follow-up not asked for by now is forfeited. */
    void forfeitFollowUps() {
        mayFollowUp.clear();
    }

    CompletableFuture<Void> done() {
        return done;
    }
}
