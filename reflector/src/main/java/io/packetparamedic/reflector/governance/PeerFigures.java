package io.packetparamedic.reflector.governance;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

/**
 * One peer's governance figures: what status reporting shows and what the state file (or, on
 * Kubernetes, a custom resource's status) carries across a restart.
 *
 * @param testStartsLastHour start instants of the peer's tests in the rolling hour, oldest first
 * @param lastTestStart start of the peer's most recent test, or null
 * @param lastTestEnd end of the peer's most recent completed test, or null
 * @param bytesDay the UTC day {@code bytesToday} belongs to, or null
 * @param bytesToday bytes the peer moved in {@code bytesDay}
 * @param totalSessions sessions ever granted to the peer
 * @param lastSeen the last time the peer asked for a session, or null
 */
public record PeerFigures(
        List<Instant> testStartsLastHour,
        Instant lastTestStart,
        Instant lastTestEnd,
        LocalDate bytesDay,
        long bytesToday,
        long totalSessions,
        Instant lastSeen) {

    public PeerFigures {
        testStartsLastHour = testStartsLastHour == null ? List.of() : List.copyOf(testStartsLastHour);
    }

    public int testsLastHour() {
        return testStartsLastHour.size();
    }
}
