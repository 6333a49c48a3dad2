package io.packetparamedic.reflector.engine;

/**
 * Field offsets of STAMP test packets in unauthenticated mode (RFC 8762 sections 4.2.1 and 4.3.1,
 * with the Session ID that RFC 8972 section 3 puts in the former MBZ). Both packets are 44 octets
 * before their TLVs; the reflector's answer keeps the sender's length.
 *
 * <pre>
 * Session-Sender                    Session-Reflector
 *  0 Sequence Number (4)             0 Sequence Number (4)
 *  4 Timestamp T1 (8)                4 Timestamp T3 (8)
 * 12 Error Estimate (2)             12 Error Estimate (2)
 * 14 SSID (2)                       14 SSID (2, copied)
 * 16 MBZ (28)                       16 Receive Timestamp T2 (8)
 *                                   24 Session-Sender Sequence Number (4)
 *                                   28 Session-Sender Timestamp T1 (8)
 *                                   36 Session-Sender Error Estimate (2)
 *                                   38 MBZ (2)
 *                                   40 Session-Sender TTL (1)
 *                                   41 MBZ (3)
 * 44 TLVs (RFC 8972)                44 TLVs, processed
 * </pre>
 *
 * <p>Authenticated mode (RFC 8762 sections 4.2.2 and 4.3.2, SSID after the Error Estimate as RFC
 * 8972 section 3 places it): both base packets are 112 octets, the last 16 an HMAC-SHA-256
 * truncated to 128 bits over the 96 octets before it (RFC 8762 section 4.4).
 *
 * <pre>
 * Session-Sender                    Session-Reflector
 *  0 Sequence Number (4)             0 Sequence Number (4)
 *  4 MBZ (12)                        4 MBZ (12)
 * 16 Timestamp T1 (8)               16 Timestamp T3 (8)
 * 24 Error Estimate (2)             24 Error Estimate (2)
 * 26 SSID (2)                       26 SSID (2, copied)
 * 28 MBZ (68)                       28 MBZ (4)
 *                                   32 Receive Timestamp T2 (8)
 *                                   40 MBZ (8)
 *                                   48 Session-Sender Sequence Number (4)
 *                                   52 MBZ (12)
 *                                   64 Session-Sender Timestamp T1 (8)
 *                                   72 Session-Sender Error Estimate (2)
 *                                   74 MBZ (6)
 *                                   80 Session-Sender TTL (1)
 *                                   81 MBZ (15)
 * 96 HMAC (16)                      96 HMAC (16)
 * 112 TLVs, HMAC TLV last           112 TLVs, processed, HMAC TLV recomputed
 * </pre>
 */
public final class StampPacket {

    /** Length of either base packet, before any TLV. */
    public static final int BASE_LENGTH = 44;

    /**
     * The shortest test packet answered: a TWAMP-Light sender's (RFC 5357 section 4.1.2) padded so
     * that the reflector's fields up to the TTL fit, 41 octets. Shorter ones get no answer, since
     * an answer may never be longer than what it answers.
     */
    public static final int MIN_ANSWERED_LENGTH = 41;

    public static final int SEQUENCE = 0;
    public static final int TIMESTAMP = 4;
    public static final int ERROR_ESTIMATE = 12;
    public static final int SSID = 14;
    public static final int RECEIVE_TIMESTAMP = 16;
    public static final int SENDER_SEQUENCE = 24;
    public static final int SENDER_TIMESTAMP = 28;
    public static final int SENDER_ERROR_ESTIMATE = 36;
    public static final int SENDER_TTL = 40;

    /** Length of either base packet in authenticated mode, HMAC included, before any TLV. */
    public static final int AUTH_BASE_LENGTH = 112;

    public static final int AUTH_TIMESTAMP = 16;
    public static final int AUTH_ERROR_ESTIMATE = 24;
    public static final int AUTH_SSID = 26;
    public static final int AUTH_RECEIVE_TIMESTAMP = 32;
    public static final int AUTH_SENDER_SEQUENCE = 48;
    public static final int AUTH_SENDER_TIMESTAMP = 64;
    public static final int AUTH_SENDER_ERROR_ESTIMATE = 72;
    public static final int AUTH_SENDER_TTL = 80;
    /** Where the base packet's HMAC sits; it covers every octet before it. */
    public static final int AUTH_HMAC = 96;

    /** HMAC-SHA-256 truncated to 128 bits (RFC 8762 section 4.4, RFC 8972 section 4.8). */
    public static final int HMAC_LENGTH = 16;

    /**
     * The Error Estimate this project's software clocks claim (RFC 4656 section 4.1.2): S = 0, not
     * known to be synchronized to UTC; Z = 0, NTP format; Scale 22 and Multiplier 1, so 2^-10 s
     * (about 1 ms), what a timestamp read by a busy event loop or client thread can honestly claim.
     */
    public static final short SOFTWARE_ERROR_ESTIMATE = (short) ((22 << 8) | 1);

    /** Size of a TLV header: flags (1), type (1), length of the value (2). */
    public static final int TLV_HEADER = 4;

    /** TLV flags of RFC 8972 section 4: unrecognized type, malformed, integrity check failed. */
    public static final int FLAG_U = 0x80;

    public static final int FLAG_M = 0x40;
    public static final int FLAG_I = 0x20;

    /** TLV types of the RFC 8972 registry that this reflector handles. */
    public static final int TYPE_EXTRA_PADDING = 1;

    public static final int TYPE_TIMESTAMP_INFO = 3;
    public static final int TYPE_CLASS_OF_SERVICE = 4;
    /** RFC 8972 section 4.8: authenticates the TLVs before it; understood in authenticated mode only. */
    public static final int TYPE_HMAC = 8;

    /** Timestamp Information values (RFC 8972 section 4.3 registries). */
    public static final int SYNC_SOURCE_LOCAL_FREE_RUNNING = 5;

    public static final int TIMESTAMP_METHOD_SW_LOCAL = 2;

    private StampPacket() {}
}
