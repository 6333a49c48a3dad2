package io.packetparamedic.reflector.client;

/**
 * Runs an action if the JVM is asked to stop (Ctrl-C, SIGTERM) while this is open: the client
 * uses it to stop iperf3 and send {@code session_close}, so an interrupted test does not hold the
 * reflector's slot until expiry.
 */
public final class CtrlC implements AutoCloseable {

    private final Thread hook;

    private CtrlC(Runnable action) {
        this.hook = new Thread(action, "client-interrupted");
    }

    public static CtrlC onInterrupt(Runnable action) {
        CtrlC c = new CtrlC(action);
        Runtime.getRuntime().addShutdownHook(c.hook);
        return c;
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs (or ran) as intended
        }
    }
}
