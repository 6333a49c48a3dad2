package io.packetparamedic.reflector.engine;

import static io.packetparamedic.reflector.engine.StampPacket.FLAG_I;
import static io.packetparamedic.reflector.engine.StampPacket.FLAG_M;
import static io.packetparamedic.reflector.engine.StampPacket.FLAG_U;
import static io.packetparamedic.reflector.engine.StampPacket.SYNC_SOURCE_LOCAL_FREE_RUNNING;
import static io.packetparamedic.reflector.engine.StampPacket.TIMESTAMP_METHOD_SW_LOCAL;
import static io.packetparamedic.reflector.engine.StampPacket.TLV_HEADER;
import static io.packetparamedic.reflector.engine.StampPacket.TYPE_CLASS_OF_SERVICE;
import static io.packetparamedic.reflector.engine.StampPacket.TYPE_EXTRA_PADDING;
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
 */
final class StampTlvs {

    private static final int TIMESTAMP_INFO_LENGTH = 4;
    private static final int CLASS_OF_SERVICE_LENGTH = 4;

    private StampTlvs() {}

    /** Processes the TLVs of {@code packet} from {@code offset} to {@code end}, in place. */
    static void reflect(ByteBuf packet, int offset, int end, Arrival arrival) {
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
            packet.setByte(at, flags | verdict(packet, type, value, length, arrival));
            at = value + length;
        }
    }

    /** The flag to set on one complete TLV (0 for none), after filling in what the reflector owns. */
    private static int verdict(ByteBuf packet, int type, int value, int length, Arrival arrival) {
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
