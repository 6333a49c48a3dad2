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
 *   <li>Timestamp Information: the reflector's half (Sync Src Out, Timestamp Out) filled in:
 *       a local clock of unknown synchronization, software timestamps.
 *   <li>Class of Service: flagged U. The reflector can neither read the DSCP/ECN a datagram
 *       arrived with nor mark single answers (Netty's datagram channels offer neither), so it
 *       does not take part in the CoS measurement rather than report values it did not see.
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
 * and the reflected TLVs before it.
 */
final class StampTlvs {

    private static final int TIMESTAMP_INFO_LENGTH = 4;
    private static final int CLASS_OF_SERVICE_LENGTH = 4;

    private StampTlvs() {}

    /** Processes the TLVs of {@code packet} from {@code offset} to its writer index, in place. */
    static void reflect(ByteBuf packet, int offset) {
        reflect(packet, offset, false);
    }

    /**
     * Authenticated mode: checks the TLVs of {@code answer} (from {@code offset}, still as received)
     * against their HMAC TLV, keyed by {@code hmac}, with the sender's Sequence Number at {@code
     * received[senderSequenceAt]}; then processes them, or flags them all I. Returns whether the
     * TLVs passed the check.
     */
    static boolean reflectAuthenticated(
            ByteBuf answer, int offset, ByteBuf received, int senderSequenceAt, StampHmac hmac) {
        int hmacTlv = hmacTlvIfWellPlaced(answer, offset);
        boolean intact = hmacTlv == NONE_REQUIRED
                || (hmacTlv >= 0
                        && hmac.verifyTlvs(received, senderSequenceAt, answer, offset, hmacTlv, hmacTlv + TLV_HEADER));
        if (!intact) {
            flagAll(answer, offset, FLAG_I);
            return false;
        }
        reflect(answer, offset, true);
        if (hmacTlv >= 0) hmac.signTlvs(answer, offset, hmacTlv, hmacTlv + TLV_HEADER);
        return true;
    }

    /** {@link #hmacTlvIfWellPlaced}: the only TLV is Extra Padding (or there is none), no HMAC needed. */
    private static final int NONE_REQUIRED = -1;
    /** {@link #hmacTlvIfWellPlaced}: the TLVs cannot be authenticated as they stand. */
    private static final int MISPLACED = -2;

    /**
     * Where the HMAC TLV starts, if the TLVs are laid out as RFC 8972 section 4.8 requires: one
     * HMAC TLV of 16 octets after every TLV other than Extra Padding, and only complete Extra
     * Padding TLVs after it. {@link #NONE_REQUIRED} for a lone Extra Padding TLV (or none), else
     * {@link #MISPLACED}.
     */
    private static int hmacTlvIfWellPlaced(ByteBuf packet, int offset) {
        int end = packet.writerIndex();
        int at = offset;
        int hmacAt = MISPLACED;
        int count = 0;
        boolean onlyPadding = true;
        while (at < end) {
            if (end - at < TLV_HEADER) return MISPLACED;
            int type = packet.getUnsignedByte(at + 1);
            int length = packet.getUnsignedShort(at + 2);
            if (length > end - at - TLV_HEADER) return MISPLACED;
            count++;
            if (type == TYPE_HMAC) {
                if (hmacAt != MISPLACED || length != StampPacket.HMAC_LENGTH) return MISPLACED;
                hmacAt = at;
            } else if (type != TYPE_EXTRA_PADDING) {
                if (hmacAt != MISPLACED) return MISPLACED;
                onlyPadding = false;
            }
            at += TLV_HEADER + length;
        }
        if (hmacAt == MISPLACED && onlyPadding && count <= 1) return NONE_REQUIRED;
        return hmacAt;
    }

    /**
     * Sets {@code flag} on every TLV, the sender's flags cleared first; a tail that is not a
     * complete TLV gets M as well, and nothing after it can be located.
     */
    private static void flagAll(ByteBuf packet, int offset, int flag) {
        int end = packet.writerIndex();
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

    private static void reflect(ByteBuf packet, int offset, boolean authenticated) {
        int end = packet.writerIndex();
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
            packet.setByte(at, flags | verdict(packet, type, value, length, authenticated));
            at = value + length;
        }
    }

    /** The flag to set on one complete TLV (0 for none), after filling in what the reflector owns. */
    private static int verdict(ByteBuf packet, int type, int value, int length, boolean authenticated) {
        switch (type) {
            case TYPE_EXTRA_PADDING:
                return 0;
            case TYPE_TIMESTAMP_INFO:
                if (length != TIMESTAMP_INFO_LENGTH) return FLAG_M;
                packet.setByte(value + 2, SYNC_SOURCE_LOCAL_FREE_RUNNING);
                packet.setByte(value + 3, TIMESTAMP_METHOD_SW_LOCAL);
                return 0;
            case TYPE_CLASS_OF_SERVICE:
                return length != CLASS_OF_SERVICE_LENGTH ? FLAG_M : FLAG_U;
            case TYPE_HMAC:
                // Without a session key (unauthenticated mode) the HMAC TLV cannot be checked.
                return authenticated ? 0 : FLAG_U;
            default:
                return FLAG_U;
        }
    }
}
