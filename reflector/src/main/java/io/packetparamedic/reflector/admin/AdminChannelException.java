package io.packetparamedic.reflector.admin;

/** The admin channel cannot be used: no server listens, another one already does, or it answered nonsense. */
public final class AdminChannelException extends RuntimeException {
    public AdminChannelException(String message) {
        super(message, null, false, false);
    }
}
