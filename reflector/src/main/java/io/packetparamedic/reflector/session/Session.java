package io.packetparamedic.reflector.session;

import io.packetparamedic.reflector.engine.RunningEngine;
import io.packetparamedic.reflector.governance.Governance;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One admitted session, from admission until its engine has stopped. The mutable fields are
 * guarded by the {@link SessionManager}'s lock, except {@code engine} (read by diagnostics) and the
 * refusal counter (bumped on relay event loops).
 */
final class Session {

    /** The grant outlives the granted duration by this much (spec section 7). */
    static final int GRACE_SEC = 5;

    final String testId;
    final PeerContext peer;
    final String peerId;
    final TestType type;
    final TestRequest request;
    final int port;
    final int durationSec;
    final Instant start;
    final Instant expiresAt;
    final CompletableFuture<Void> ended = new CompletableFuture<>();
    /** Connections to the data port the relay refused; the first few are audited one by one. */
    final AtomicLong dataPlaneRefusals = new AtomicLong();

    Governance.StartReceipt receipt;
    volatile RunningEngine engine;
    ScheduledFuture<?> expiry;
    boolean stopRequested;

    Session(
            String testId,
            PeerContext peer,
            TestType type,
            TestRequest request,
            int port,
            int durationSec,
            Instant start) {
        this.testId = testId;
        this.peer = peer;
        this.peerId = peer.peerId().toString();
        this.type = type;
        this.request = request;
        this.port = port;
        this.durationSec = durationSec;
        this.start = start;
        this.expiresAt = start.plusSeconds(durationSec + GRACE_SEC);
    }

    /** When the granted duration is over and the grace begins. */
    Instant durationEnd() {
        return start.plusSeconds(durationSec);
    }
}
