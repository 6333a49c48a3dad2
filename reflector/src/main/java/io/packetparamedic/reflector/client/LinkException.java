package io.packetparamedic.reflector.client;

import io.packetparamedic.reflector.wire.Payload;
import java.io.IOException;
import java.util.Optional;

/** A Paramedic Link exchange went wrong: the server answered with an {@code error} (see {@link #error()}) or with an unexpected payload. */
public class LinkException extends IOException {

    private final Payload.Error error;

    public LinkException(String message) {
        super(message);
        this.error = null;
    }

    public LinkException(Payload.Error error) {
        super("server error " + error.code() + ": " + error.message());
        this.error = error;
    }

    /** The server's {@code error} payload, when that is what came back. */
    public Optional<Payload.Error> error() {
        return Optional.ofNullable(error);
    }
}
