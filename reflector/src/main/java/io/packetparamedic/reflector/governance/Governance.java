package io.packetparamedic.reflector.governance;

import io.packetparamedic.reflector.wire.DenyReason;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Per-peer accounting behind admission (spec section 7): tests in the rolling hour, the start of
 * the peer's last test (for the cooldown), bytes in the current UTC day; plus the reflector-wide
 * tests and bytes of the day for {@code status_snapshot}.
 *
 * <p>All methods are synchronized and do no I/O: the session manager calls them inside its
 * admission step, so a check and the recording of a grant are one atomic step. Every change is
 * handed to the {@link GovernanceStore} (if any), which writes it from its own thread.
 *
 * <p>The cooldown runs from the <em>start</em> of the peer's previous test. An appliance runs an
 * upload test and then immediately a download test; measured from the end of the first test, a
 * cooldown would deny that second request every time. Measured from the start, it still bounds a
 * peer to one grant per {@code cooldown_sec}, and a test of at least that length never delays the
 * next one.
 *
 * <p><b>Clock steps.</b> With a {@link SteadyClock} (as the reflector runs), every duration —
 * cooldown, rolling hour — is measured in monotonic time, and the UTC day of the byte quota is
 * the wall clock's day ({@link SteadyClock#wallOffset()} applied). Figures loaded from the state
 * file or seeded from elsewhere that lie in the future (the clock was stepped back between runs)
 * are taken as now, so a step back delays a peer by at most one cooldown or one hour.
 */
public final class Governance {

    static final Duration ROLLING_WINDOW = Duration.ofHours(1);

    private final Clock clock;
    private final GovernanceStore store;
    private final Map<String, Ledger> peers = new HashMap<>();
    private LocalDate day;
    private long testsToday;
    private long bytesToday;

    /** In-memory only (tests, or Kubernetes mode where state is seeded from resource status). */
    public Governance(Clock clock) {
        this(clock, null);
    }

    /** Loads the state file's figures, if the store has any, and writes every change back. */
    public Governance(Clock clock, GovernanceStore store) {
        this.clock = clock;
        this.store = store;
        if (store != null) {
            GovernanceStore.Snapshot loaded = store.load();
            if (loaded != null) apply(loaded);
        }
    }

    public Clock clock() {
        return clock;
    }

    /**
     * Cooldown, rolling hour, then daily bytes, in that order (spec section 7). Concurrency is the
     * session manager's check and comes before this one.
     */
    public synchronized Verdict check(String peerId, PeerLimits limits, Instant now) {
        Ledger ledger = peers.get(peerId);
        if (ledger == null) return Verdict.ALLOWED;
        ledger.prune(now);
        if (limits.cooldownSec() > 0 && ledger.lastStart != null) {
            Instant clears = ledger.lastStart.plusSeconds(limits.cooldownSec());
            if (now.isBefore(clears)) {
                long wait = secondsUntil(now, clears);
                return Verdict.deny(
                        DenyReason.RATE_LIMITED,
                        "cooldown: tests from this appliance must start at least " + limits.cooldownSec()
                                + " s apart; try again in " + PlainWords.duration(wait),
                        wait,
                        "cooldown between tests");
            }
        }
        int perHour = limits.maxTestsPerHour();
        if (ledger.startsInWindow.size() >= perHour) {
            if (perHour <= 0) {
                return Verdict.deny(
                        DenyReason.RATE_LIMITED,
                        "this appliance may not run tests here (its hourly test limit is 0)",
                        null,
                        "hourly test limit is 0");
            }
            // The count drops below the limit once the (size - limit + 1)-th oldest start leaves the window.
            int index = ledger.startsInWindow.size() - perHour;
            Instant leaving =
                    ledger.startsInWindow.stream().skip(index).findFirst().orElseThrow();
            Instant clears = leaving.plus(ROLLING_WINDOW);
            long wait = secondsUntil(now, clears);
            return Verdict.deny(
                    DenyReason.RATE_LIMITED,
                    "hourly test limit reached: " + ledger.startsInWindow.size() + " of " + perHour
                            + " tests used in the last hour; the next test is allowed at "
                            + PlainWords.utcTime(clears.plus(wallOffset()))
                            + " (in " + PlainWords.duration(wait) + ")",
                    wait,
                    "hourly test limit reached");
        }
        LocalDate today = utcDay(now);
        long used = today.equals(ledger.bytesDay) ? ledger.bytesToday : 0;
        if (used >= limits.maxBytesPerDay()) {
            Instant midnight =
                    today.plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC).minus(wallOffset());
            long wait = secondsUntil(now, midnight);
            return Verdict.deny(
                    DenyReason.QUOTA_EXCEEDED,
                    "daily data quota reached: " + PlainWords.bytes(used) + " of "
                            + PlainWords.bytes(limits.maxBytesPerDay()) + " used today; it resets at 00:00 UTC (in "
                            + PlainWords.duration(wait) + ")",
                    wait,
                    "daily byte quota exceeded");
        }
        return Verdict.ALLOWED;
    }

    /** Records a granted test; the receipt undoes it if the engine then fails to start. */
    public synchronized StartReceipt recordStart(String peerId, Instant start) {
        Ledger ledger = peers.computeIfAbsent(peerId, id -> new Ledger());
        StartReceipt receipt = new StartReceipt(peerId, start, ledger.lastStart);
        ledger.prune(start);
        ledger.startsInWindow.addLast(start);
        ledger.lastStart = start;
        ledger.lastSeen = start;
        ledger.totalSessions++;
        rollDay(start);
        testsToday++;
        changed();
        return receipt;
    }

    /** Undoes {@link #recordStart}: the peer never got the test. */
    public synchronized void cancelStart(StartReceipt receipt) {
        Ledger ledger = peers.get(receipt.peerId());
        if (ledger == null) return;
        ledger.startsInWindow.removeLastOccurrence(receipt.start());
        if (receipt.start().equals(ledger.lastStart)) ledger.lastStart = receipt.previousLastStart();
        ledger.totalSessions = Math.max(0, ledger.totalSessions - 1);
        if (utcDay(receipt.start()).equals(day) && testsToday > 0) testsToday--;
        changed();
    }

    /** Records a finished test's bytes against the UTC day it ended in. */
    public synchronized void recordEnd(String peerId, Instant end, long bytes) {
        Ledger ledger = peers.computeIfAbsent(peerId, id -> new Ledger());
        LocalDate today = utcDay(end);
        if (!today.equals(ledger.bytesDay)) {
            ledger.bytesDay = today;
            ledger.bytesToday = 0;
        }
        ledger.bytesToday += Math.max(0, bytes);
        ledger.lastEnd = end;
        rollDay(end);
        bytesToday += Math.max(0, bytes);
        changed();
    }

    /** Bytes {@code peerId} has moved in the UTC day of {@code now} (what its daily quota is counted against). */
    public synchronized long peerBytesToday(String peerId, Instant now) {
        Ledger ledger = peers.get(peerId);
        return ledger != null && utcDay(now).equals(ledger.bytesDay) ? ledger.bytesToday : 0;
    }

    /** Notes that a peer asked for something (status reporting's lastSeen). */
    public synchronized void seen(String peerId, Instant when) {
        peers.computeIfAbsent(peerId, id -> new Ledger()).lastSeen = when;
    }

    public synchronized long testsToday() {
        rollDay(clock.instant());
        return testsToday;
    }

    public synchronized long bytesToday() {
        rollDay(clock.instant());
        return bytesToday;
    }

    /** Every peer's figures as of now (stale hour entries and a past day's bytes left out). */
    public synchronized Map<String, PeerFigures> snapshot() {
        Instant now = clock.instant();
        Map<String, PeerFigures> out = new LinkedHashMap<>();
        peers.forEach((id, ledger) -> {
            ledger.prune(now);
            out.put(id, ledger.figures(utcDay(now)));
        });
        return out;
    }

    /**
     * Replaces a peer's figures with ones kept elsewhere (on Kubernetes, the AuthorizedPeer's
     * status). Hourly entries older than the window and bytes of a past day are dropped.
     */
    public synchronized void seed(String peerId, PeerFigures figures) {
        Ledger ledger = new Ledger();
        ledger.startsInWindow.addAll(figures.testStartsLastHour());
        ledger.lastStart = figures.lastTestStart();
        ledger.lastEnd = figures.lastTestEnd();
        ledger.bytesDay = figures.bytesDay();
        ledger.bytesToday = figures.bytesToday();
        ledger.totalSessions = figures.totalSessions();
        ledger.lastSeen = figures.lastSeen();
        ledger.prune(clock.instant());
        peers.put(peerId, ledger);
        changed();
    }

    /** Seconds from {@code now} until {@code when}, rounded up, at least 1. */
    static long secondsUntil(Instant now, Instant when) {
        long millis = Duration.between(now, when).toMillis();
        return Math.max(1, (millis + 999) / 1000);
    }

    /** The UTC day of {@code instant} (a reading of {@link #clock}) on the wall clock. */
    private LocalDate utcDay(Instant instant) {
        return LocalDate.ofInstant(instant.plus(wallOffset()), ZoneOffset.UTC);
    }

    /** Zero for a plain clock; for a {@link SteadyClock}, how far the wall clock has stepped. */
    private Duration wallOffset() {
        return SteadyClock.wallOffset(clock);
    }

    private void rollDay(Instant now) {
        LocalDate today = utcDay(now);
        if (!today.equals(day)) {
            if (day != null && today.isBefore(day)) return; // a clock step backwards keeps the later day
            day = today;
            testsToday = 0;
            bytesToday = 0;
        }
    }

    private void changed() {
        if (store == null) return;
        Map<String, PeerFigures> figures = new LinkedHashMap<>();
        peers.forEach((id, ledger) -> figures.put(id, ledger.figures(null)));
        store.save(new GovernanceStore.Snapshot(day, testsToday, bytesToday, figures));
    }

    private void apply(GovernanceStore.Snapshot snapshot) {
        Instant now = clock.instant();
        snapshot.peers().forEach((id, f) -> {
            Ledger ledger = new Ledger();
            ledger.startsInWindow.addAll(f.testStartsLastHour());
            ledger.lastStart = f.lastTestStart();
            ledger.lastEnd = f.lastTestEnd();
            ledger.bytesDay = f.bytesDay();
            ledger.bytesToday = f.bytesToday();
            ledger.totalSessions = f.totalSessions();
            ledger.lastSeen = f.lastSeen();
            ledger.prune(now);
            peers.put(id, ledger);
        });
        day = snapshot.day();
        testsToday = snapshot.testsToday();
        bytesToday = snapshot.bytesToday();
        rollDay(now);
    }

    /** What {@link #cancelStart} needs to undo a start. */
    public record StartReceipt(String peerId, Instant start, Instant previousLastStart) {}

    private static final class Ledger {
        final Deque<Instant> startsInWindow = new ArrayDeque<>();
        Instant lastStart;
        Instant lastEnd;
        LocalDate bytesDay;
        long bytesToday;
        long totalSessions;
        Instant lastSeen;

        /** Drops starts older than the window; takes starts and the last start that lie in the future as now. */
        void prune(Instant now) {
            if (lastStart != null && lastStart.isAfter(now)) lastStart = now;
            if (!startsInWindow.isEmpty() && startsInWindow.peekLast().isAfter(now)) {
                int future = (int)
                        startsInWindow.stream().filter(i -> i.isAfter(now)).count();
                for (int i = 0; i < future; i++) startsInWindow.removeLast();
                for (int i = 0; i < future; i++) startsInWindow.addLast(now);
            }
            Instant cutoff = now.minus(ROLLING_WINDOW);
            while (!startsInWindow.isEmpty() && !startsInWindow.peekFirst().isAfter(cutoff)) {
                startsInWindow.removeFirst();
            }
        }

        /** The figures; with {@code today} set, bytes of another day read as 0. */
        PeerFigures figures(LocalDate today) {
            boolean current = today == null || today.equals(bytesDay);
            return new PeerFigures(
                    java.util.List.copyOf(startsInWindow),
                    lastStart,
                    lastEnd,
                    current ? bytesDay : today,
                    current ? bytesToday : 0,
                    totalSessions,
                    lastSeen);
        }
    }
}
