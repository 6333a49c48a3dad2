package io.packetparamedic.kubectl;

/** An expected failure: printed as one line, no stack trace, with its exit code. */
public final class PluginException extends RuntimeException {

    private final int exitCode;

    public PluginException(int exitCode, String message) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
