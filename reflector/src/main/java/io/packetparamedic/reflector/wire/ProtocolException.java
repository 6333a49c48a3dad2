package io.packetparamedic.reflector.wire;

/**
 * A frame that is well-delimited but cannot be understood (malformed JSON, unknown type, missing
 * required field). The connection stays usable: the peer gets an {@code error} with {@link #code()}.
 */
public class ProtocolException extends Exception {
    private final int code;
    private final String requestId;

    public ProtocolException(int code, String message, String requestId) {
        super(message, null, false, false);
        this.code = code;
        this.requestId = requestId;
    }

    public int code() {
        return code;
    }

    /** The request ID when it could be read, so the error still echoes it; otherwise null. */
    public String requestId() {
        return requestId;
    }
}
