package io.packetparamedic.reflector.conformance;

import java.io.IOException;

/** What the field client reports to its user when an operation fails: one message. */
public final class FieldClientException extends IOException {
    public FieldClientException(String message) {
        super(message);
    }
}
