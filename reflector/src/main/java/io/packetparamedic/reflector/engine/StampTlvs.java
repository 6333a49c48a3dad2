package io.packetparamedic.reflector.engine;

import static io.packetparamedic.reflector.engine.StampPacket.FLAG_I;
import static io.packetparamedic.reflector.engine.StampPacket.FLAG_M;
import static io.packetparamedic.reflector.engine.StampPacket.FLAG_U;
import static io.packetparamedic.reflector.engine.StampPacket.SYNC_SOURCE_LOCAL_FREE_RUNNING;
import static io.packetparamedic.reflector.engine.StampPacket.TIMESTAMP_METHOD_SW_LOCAL;
import static io.packetparamedic.reflector.engine.StampPacket.TLV_HEADER;
import static io.packetparamedic.reflector.engine.StampPacket.TYPE_CLASS_OF_SERVICE;
import static io.packetparamedic.reflector.engine.StampPacket.TYPE_EXTRA_PADDING;
import static io.packetparamedic.reflector.engine.StampPacket.TYPE_HMAC;
import static io.packetparamedic.reflector.engine.StampPacket.TYPE_TIMESTAMP_INFO;

import io.netty.buffer.ByteBuf;

/**
 * The Session-Reflector's handling of the TLVs after a base test packet (RFC 8972 section 4), in
 * place on the answer, which starts as a copy of the received TLVs. Every TLV keeps its length,
 * so the answer is never longer than the test packet.
 *
 * <ul>
 *   <li>Extra Padding: reflected as received.
 *   <li>Timestamp Information: every field describes the reflector (RFC 8972 section 4.3): Sync
 *       Src In/Out a local clock of unknown synchronization (5), Timestamp In/Out SW local (2).
 *       T2 is software either way, a kernel receive timestamp (SO_TIMESTAMPNS) or one taken by the
 *       reflector's thread; the registry's HW assist (1) is for NIC timestamps, which this
 *       reflector does not use.
 *   <li>Class of Service (RFC 8972 section 4.4): where the transport reported the received TOS
 *       octet and marks answers one by one (the native path), DSCP2 and ECN are set to what
 *       arrived, DSCP1 is kept and applied to the answer (RP 0), the reserved octets are zeroed.
 *       Elsewhere (the Netty path reads no TOS and marks no single answer) it is flagged U: the
 *       reflector does not take part rather than report values it did not see.
 *   <li>Any other type: flagged U (unrecognized), value untouched.
 *   <li>A known TLV of the wrong length, or one whose length runs past the end of the packet, or a
 *       tail too short for a TLV header: flagged M (malformed). Processing stops at a TLV that runs
 *       past the end, since nothing after it can be located.
 * </ul>
 *
 * The flags a sender set are cleared first: in an answer they are the reflector's statement.
 *
 * <p>In authenticated mode (RFC 8972 section 4.8) the TLVs are first checked against the HMAC TLV,
 * which must follow every other TLV except Extra Padding and is required unless the only TLV is
 * one Extra Padding. When the check fails (no HMAC TLV where one is required, one out of place or
 * of the wrong length, a wrong value, a TLV that runs past the end) nothing is processed: the TLVs
 * are reflected as received with the I flag set on each. When it holds they are processed as
 * above, the HMAC TLV is understood, and its value is recomputed over the answer's Sequence Number
 * and the reflected TLVs before it. The check runs on the packet as received, before the base
 * packet is rewritten ({@link #checkAuthenticated}), the processing after it ({@link
 * #reflectAuthenticated}).
 */
final class StampTlvs {

    private static final int TIMESTAMP_INFO_LENGTH = 4;
    private static final int CLASS_OF_SERVICE_LENGTH = 4;

    private StampTlvs() {}

    /** Processes the TLVs of {@code packet} from {@code offset} to {@code end}, in place (unauthenticated mode). */
    static void reflect(ByteBuf packet, int offset, int end, Arrival arrival) {
        reflect(packet, offset, end, arrival, false);
    }

    /** {@link #checkAuthenticated}: the only TLV is Extra Padding (or there is none), no HMAC needed. */
    static final int NONE_REQUIRED = -1;
    /** {@link #checkAuthenticated}: the TLVs cannot be authenticated as they stand. */
    static final int FAILED = -2;

    /**
     * Authenticated mode, on the TLVs as received ({@code packet[offset, end)}), with the sender's
     * Sequence Number at {@code packet[senderSequenceAt]}: where the HMAC TLV starts if the TLVs
     * are laid out as RFC 8972 section 4.8 requires and its value is right, {@link #NONE_REQUIRED}
     * for a lone Extra Padding TLV (or none), else {@link #FAILED}.
     */
    static int checkAuthenticated(ByteBuf packet, int offset, int end, int senderSequenceAt, StampHmac hmac) {
        int hmacTlv = hmacTlvIfWellPlaced(packet, offset, end);
        if (hmacTlv < 0) return hmacTlv;
        int value = hmacTlv + TLV_HEADER;
        return hmac.verifyTlvs(packet, senderSequenceAt, packet, offset, hmacTlv, value) ? hmacTlv : FAILED;
    }

    /**
     * Authenticated mode, after {@link #checkAuthenticated} said {@code hmacTlv}: processes the
     * TLVs and signs them with the answer's Sequence Number at {@code packet[sequenceAt]}, or flags
     * them all I when the check failed.
     */
    static void reflectAuthenticated(
            ByteBuf packet, int offset, int end, Arrival arrival, int hmacTlv, int sequenceAt, StampHmac hmac) {
        if (hmacTlv == FAILED) {
            flagAll(packet, offset, end, FLAG_I);
            return;
        }
        reflect(packet, offset, end, arrival, true);
        if (hmacTlv >= 0) hmac.signTlvs(packet, sequenceAt, offset, hmacTlv, hmacTlv + TLV_HEADER);
    }

    /**
     * Where the HMAC TLV starts, if the TLVs are laid out as RFC 8972 section 4.8 requires: one
     * HMAC TLV of 16 octets after every TLV other than Extra Padding, and only complete Extra
     * Padding TLVs after it. {@link #NONE_REQUIRED} for a lone Extra Padding TLV (or none), else
     * {@link #FAILED}.
     */
    private static int hmacTlvIfWellPlaced(ByteBuf packet, int offset, int end) {
        int at = offset;
        int hmacAt = FAILED;
        int count = 0;
        boolean onlyPadding = true;
        while (at < end) {
            if (end - at < TLV_HEADER) return FAILED;
            int type = packet.getUnsignedByte(at + 1);
            int length = packet.getUnsignedShort(at + 2);
            if (length > end - at - TLV_HEADER) return FAILED;
            count++;
            if (type == TYPE_HMAC) {
                if (hmacAt != FAILED || length != StampPacket.HMAC_LENGTH) return FAILED;
                hmacAt = at;
            } else if (type != TYPE_EXTRA_PADDING) {
                if (hmacAt != FAILED) return FAILED;
                onlyPadding = false;
            }
            at += TLV_HEADER + length;
        }
        if (hmacAt == FAILED && onlyPadding && count <= 1) return NONE_REQUIRED;
        return hmacAt;
    }

    /**
     * Sets {@code flag} on every TLV, the sender's flags cleared first; a tail that is not a
     * complete TLV gets M as well, and nothing after it can be located.
     */
    private static void flagAll(ByteBuf packet, int offset, int end, int flag) {
        int at = offset;
        while (at < end) {
            int flags = packet.getUnsignedByte(at) & ~(FLAG_U | FLAG_M | FLAG_I);
            if (end - at < TLV_HEADER || packet.getUnsignedShort(at + 2) > end - at - TLV_HEADER) {
                packet.setByte(at, flags | flag | FLAG_M);
                return;
            }
            packet.setByte(at, flags | flag);
            at += TLV_HEADER + packet.getUnsignedShort(at + 2);
        }
    }

    private static void reflect(ByteBuf packet, int offset, int end, Arrival arrival, boolean authenticated) {
        int at = offset;
        while (at < end) {
            int remaining = end - at;
            int flags = packet.getUnsignedByte(at) & ~(FLAG_U | FLAG_M | FLAG_I);
            if (remaining < TLV_HEADER) {
                packet.setByte(at, flags | FLAG_M);
                return;
            }
            int type = packet.getUnsignedByte(at + 1);
            int length = packet.getUnsignedShort(at + 2);
            if (length > remaining - TLV_HEADER) {
                packet.setByte(at, flags | FLAG_M);
                return;
            }
            int value = at + TLV_HEADER;
            packet.setByte(at, flags | verdict(packet, type, value, length, arrival, authenticated));
            at = value + length;
        }
    }

    /** The flag to set on one complete TLV (0 for none), after filling in what the reflector owns. */
    private static int verdict(
            ByteBuf packet, int type, int value, int length, Arrival arrival, boolean authenticated) {
        switch (type) {
            case TYPE_EXTRA_PADDING:
                return 0;
            case TYPE_TIMESTAMP_INFO:
                if (length != TIMESTAMP_INFO_LENGTH) return FLAG_M;
                packet.setByte(value, SYNC_SOURCE_LOCAL_FREE_RUNNING);
                packet.setByte(value + 1, TIMESTAMP_METHOD_SW_LOCAL);
                packet.setByte(value + 2, SYNC_SOURCE_LOCAL_FREE_RUNNING);
                packet.setByte(value + 3, TIMESTAMP_METHOD_SW_LOCAL);
                return 0;
            case TYPE_CLASS_OF_SERVICE:
                if (length != CLASS_OF_SERVICE_LENGTH) return FLAG_M;
                if (arrival.tos() < 0 || !arrival.replyMarkable()) return FLAG_U;
                classOfService(packet, value, arrival);
                return 0;
            case TYPE_HMAC:
                // Without a session key (unauthenticated mode) the HMAC TLV cannot be checked.
                return authenticated ? 0 : FLAG_U;
            default:
                return FLAG_U;
        }
    }

    /**
     * DSCP1 (6 bits) | DSCP2 (6) | ECN (2) | RP (2) | reserved (16): DSCP2 and ECN as received, RP
     * 0 since DSCP1 is applied to the answer (with ECN Not-ECT).
     */
    private static void classOfService(ByteBuf packet, int value, Arrival arrival) {
        int dscp1 = packet.getUnsignedByte(value) >>> 2;
        int dscp2 = arrival.tos() >>> 2;
        int ecn = arrival.tos() & 0x3;
        packet.setByte(value, dscp1 << 2 | dscp2 >>> 4);
        packet.setByte(value + 1, (dscp2 & 0xF) << 4 | ecn << 2);
        packet.setShort(value + 2, 0);
        arrival.markReply(dscp1 << 2);
    }
}
