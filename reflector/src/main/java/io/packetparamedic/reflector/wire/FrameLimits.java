package io.packetparamedic.reflector.wire;

/** Framing facts of spec section 4: a 4-byte big-endian length, then that many bytes of JSON. */
public final class FrameLimits {
    public static final int LENGTH_FIELD_BYTES = 4;
    /** The largest frame body; a larger announced length closes the connection unread. */
    public static final int MAX_FRAME_BYTES = 1 << 20;

    private FrameLimits() {}
}
