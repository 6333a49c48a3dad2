package io.packetparamedic.kubectl;

/** The plugin's exit codes, listed in its --help. */
public final class ExitCodes {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;
    public static final int TIMED_OUT = 3;
    public static final int INTERRUPTED = 130;

    private ExitCodes() {}
}
