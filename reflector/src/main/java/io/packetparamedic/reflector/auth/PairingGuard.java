package io.packetparamedic.reflector.auth;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The attempt budget that makes pairing codes impractical to guess (issue 12 item 5). A code is
 * 8 symbols from a 31-symbol alphabet (31^8, about 8.5 x 10^11 codes); guessing only works at
 * volume, so volume is what this bounds:
 *
 * <ul>
 *   <li>per source address: {@value #FREE_FAILURES} failed attempts, then each further one
 *       blocks the address for twice as long as the last (1 s, 2 s, 4 s … at most
 *       {@link #MAX_BACKOFF}); attempts while blocked are refused without being tested, so even
 *       the right code fails then. An address is forgotten after {@link #FORGET_AFTER} without
 *       failures, or at once when it pairs;
 *   <li>for the reflector: at most {@value #TESTED_PER_SECOND} attempts a second are tested
 *       against the open windows (a token bucket); the rest are refused untested. This bounds a
 *       guesser that spreads over many addresses;
 *   <li>per window: {@link Authorizer} closes a window after {@value #WINDOW_FAILURE_LIMIT} failed
 *       attempts, whatever their source.
 * </ul>
 *
 * Memory is bounded: at most {@value #MAX_SOURCES} addresses are remembered (least recently
 * used first out). Synchronized; no I/O.
 *
 * <p>Untested refusals are not audited one by one (their number is bounded only by the peer), but
 * the first refusal of each block and the first after the reflector-wide budget runs out are: each
 * is paid for by a tested attempt, so the audit log stays bounded and still shows the lockout.
 */
final class PairingGuard {

    static final int FREE_FAILURES = 5;
    static final Duration MAX_BACKOFF = Duration.ofMinutes(15);
    static final Duration FORGET_AFTER = Duration.ofHours(1);
    static final int TESTED_PER_SECOND = 10;
    static final int WINDOW_FAILURE_LIMIT = 1000;
    static final int MAX_SOURCES = 4096;

    private static final class Source {
        int failures;
        Instant lastFailure;
        Instant blockedUntil;
        boolean refusalAudited;
    }

    /**
     * An attempt refused untested: the message for the peer and, when this refusal is to be
     * audited, the audit reason.
     */
    record Refusal(String message, Optional<String> auditReason) {}

    /** What {@link #failed} did to the address: its failures so far and, when it is now blocked, for how long. */
    record Failure(int failuresFromAddress, Optional<Duration> blockedFor) {}

    private final Map<InetAddress, Source> sources = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<InetAddress, Source> eldest) {
            return size() > MAX_SOURCES;
        }
    };
    private double tokens = TESTED_PER_SECOND;
    private Instant refilledAt;
    private boolean throttleAudited;

    /** Empty when the attempt may be tested; otherwise why not. */
    synchronized Optional<Refusal> admit(InetAddress source, Instant now) {
        Source s = source == null ? null : sources.get(source);
        if (s != null && !now.isBefore(s.lastFailure.plus(FORGET_AFTER))) {
            sources.remove(source);
            s = null;
        }
        if (s != null && s.blockedUntil != null && now.isBefore(s.blockedUntil)) {
            long seconds = Math.max(1, (Duration.between(now, s.blockedUntil).toMillis() + 999) / 1000);
            Optional<String> audit = s.refusalAudited
                    ? Optional.empty()
                    : Optional.of("address blocked after " + s.failures + " wrong codes");
            s.refusalAudited = true;
            return Optional.of(new Refusal(
                    "pairing failed: too many wrong codes from this address; try again in " + seconds + " s", audit));
        }
        refill(now);
        if (tokens < 1) {
            Optional<String> audit = throttleAudited
                    ? Optional.empty()
                    : Optional.of("more than " + TESTED_PER_SECOND + " pairing attempts a second (reflector-wide)");
            throttleAudited = true;
            return Optional.of(new Refusal(
                    "pairing failed: too many pairing attempts right now; try again in a few seconds", audit));
        }
        tokens -= 1;
        throttleAudited = false;
        return Optional.empty();
    }

    /** Records a tested attempt that failed. */
    synchronized Failure failed(InetAddress source, Instant now) {
        if (source == null) return new Failure(0, Optional.empty());
        Source s = sources.computeIfAbsent(source, k -> new Source());
        s.failures++;
        s.lastFailure = now;
        if (s.failures < FREE_FAILURES) return new Failure(s.failures, Optional.empty());
        long seconds = Math.min(MAX_BACKOFF.getSeconds(), 1L << Math.min(30, s.failures - FREE_FAILURES));
        s.blockedUntil = now.plusSeconds(seconds);
        s.refusalAudited = false;
        return new Failure(s.failures, Optional.of(Duration.ofSeconds(seconds)));
    }

    synchronized void succeeded(InetAddress source) {
        if (source != null) sources.remove(source);
    }

    private void refill(Instant now) {
        if (refilledAt != null && now.isAfter(refilledAt)) {
            tokens = Math.min(
                    TESTED_PER_SECOND,
                    tokens + Duration.between(refilledAt, now).toNanos() * TESTED_PER_SECOND / 1e9);
        }
        if (refilledAt == null || now.isAfter(refilledAt)) refilledAt = now;
    }
}
