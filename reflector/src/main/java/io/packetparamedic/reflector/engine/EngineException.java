package io.packetparamedic.reflector.engine;

/** An engine could not start; the message is safe to show to the peer and the operator. */
public class EngineException extends Exception {
    public EngineException(String message) {
        super(message);
    }

    public EngineException(String message, Throwable cause) {
        super(message, cause);
    }
}
