package io.packetparamedic.reflector.auth;

import io.packetparamedic.api.pairing.PairingCodes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/**
 * The codes of recently ended pairing windows and why each ended, so that a failed attempt can be
 * audited as "expired code" or "code already used" rather than just "wrong code": the operator
 * whose appliance was a minute late learns that from the audit log. The peer is told the same
 * thing either way. Bounded: the last {@value #MAX_KEPT} windows, for at most {@link #KEEP_FOR}.
 * Not thread-safe; {@link Authorizer} calls it under its lock.
 */
final class EndedWindows {

    static final int MAX_KEPT = 16;
    static final Duration KEEP_FOR = Duration.ofHours(1);

    /** Why a window ended, as the audit log's {@code reason} for a later attempt with its code. */
    enum Why {
        EXPIRED("expired code"),
        CLOSED("code of a window closed by the operator"),
        REPLACED("code of a window replaced by a newer one"),
        USED("code already used"),
        LOCKED("code of a window locked after too many failed attempts");

        final String reason;

        Why(String reason) {
            this.reason = reason;
        }
    }

    private record Ended(String code, Why why, Instant at) {}

    private final Deque<Ended> ended = new ArrayDeque<>();

    void add(String code, Why why, Instant now) {
        ended.addFirst(new Ended(code, why, now));
        while (ended.size() > MAX_KEPT) ended.removeLast();
    }

    /** Why the window of {@code presented} ended, if it is one of the kept codes; compared in constant time. */
    Optional<Why> whyEnded(String presented, Instant now) {
        ended.removeIf(e -> !now.isBefore(e.at().plus(KEEP_FOR)));
        Why found = null;
        for (Ended e : ended) {
            if (PairingCodes.matches(e.code(), presented) && found == null) found = e.why();
        }
        return Optional.ofNullable(found);
    }
}
