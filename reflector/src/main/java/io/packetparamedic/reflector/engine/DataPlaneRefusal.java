package io.packetparamedic.reflector.engine;

import java.net.InetSocketAddress;
import java.util.Locale;

/**
 * A connection to a granted data port that the relay refused, with its source.
 *
 * @param testId the session whose port it was
 * @param port the granted port
 * @param source the connecting address
 * @param reason why, from a fixed vocabulary (safe as a metric tag)
 */
public record DataPlaneRefusal(String testId, int port, InetSocketAddress source, Reason reason) {

    /** The fixed refusal vocabulary; {@link #wire()} is the log word and metric tag value. */
    public enum Reason {
        /** Not from the granted peer's IP address. */
        FOREIGN_ADDRESS,
        /** No complete iperf3 cookie within the deadline (a port scanner, a poller). */
        NO_COOKIE,
        /** The first 37 bytes are not an iperf3 cookie. */
        BAD_COOKIE,
        /** A cookie other than the one the session is pinned to. */
        COOKIE_MISMATCH,
        /** A data stream beyond the granted (or announced) number of streams. */
        TOO_MANY_STREAMS,
        /** Too many connections from the peer's address waiting for their cookie at once. */
        TOO_MANY_PENDING,
        /** The test's parameters ask for UDP/SCTP where TCP was granted. */
        PROTOCOL_MISMATCH,
        /** The test's parameters ask for another direction (or both) than granted. */
        DIRECTION_MISMATCH,
        /** The parameter block is oversized or not iperf3's JSON. */
        BAD_PARAMETERS;

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
