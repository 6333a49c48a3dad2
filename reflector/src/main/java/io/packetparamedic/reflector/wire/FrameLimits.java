package io.packetparamedic.reflector.wire;

/** Framing facts of spec section 4: a 4-byte big-endian length, then that many bytes of JSON. */
public final class FrameLimits {
    public static final int LENGTH_FIELD_BYTES = 4;
    /** The largest frame body; a larger announced length closes the connection unread. */
    public static final int MAX_FRAME_BYTES = 1 << 20;
    /**
     * (ours) The largest frame body a control connection may send until its peer is authorized and
     * has said hello: {@code hello} and {@code pair_request} are a few hundred bytes.
     */
    public static final int MAX_FRAME_BYTES_BEFORE_HELLO = 16 * 1024;

    private FrameLimits() {}
}
