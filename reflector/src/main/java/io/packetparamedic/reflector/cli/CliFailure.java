package io.packetparamedic.reflector.cli;

/**
 * An expected failure of a command (no running server, a refused key file, a bad config): the
 * CLI prints its message on one line and exits 1, without a stack trace.
 */
public final class CliFailure extends RuntimeException {
    public CliFailure(String message) {
        super(message, null, false, false);
    }
}
