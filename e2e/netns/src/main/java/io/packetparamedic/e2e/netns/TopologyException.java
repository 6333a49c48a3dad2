package io.packetparamedic.e2e.netns;

/** A topology step failed: the message names the command, its exit code and what it printed. */
public final class TopologyException extends RuntimeException {
    public TopologyException(String message) {
        super(message);
    }

    public TopologyException(String message, Throwable cause) {
        super(message, cause);
    }
}
