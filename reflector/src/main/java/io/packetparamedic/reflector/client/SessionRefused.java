package io.packetparamedic.reflector.client;

/** The reflector would not (or could not usefully) give a session; the message says why in plain words. */
public final class SessionRefused extends Exception {

    private final String reason;

    public SessionRefused(String reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    /** The deny reason ({@code busy}, {@code rate_limited}, ...) or {@code no_data_port}. */
    public String reason() {
        return reason;
    }
}
