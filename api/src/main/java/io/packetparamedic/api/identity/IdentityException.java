package io.packetparamedic.api.identity;

/** A key or certificate cannot be used; the message says why and names the file when there is one. */
public class IdentityException extends RuntimeException {
    public IdentityException(String message) {
        super(message);
    }

    public IdentityException(String message, Throwable cause) {
        super(message, cause);
    }
}
