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
 */
final class StampTlvs {

    private static final int TIMESTAMP_INFO_LENGTH = 4;
    private static final int CLASS_OF_SERVICE_LENGTH = 4;

    private StampTlvs() {}

    /** Processes the TLVs of {@code packet} from {@code offset} to its writer index, in place. */
    static void reflect(ByteBuf packet, int offset) {
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
            packet.setByte(at, flags | verdict(packet, type, value, length));
            at = value + length;
        }
    }

    /** The flag to set on one complete TLV (0 for none), after filling in what the reflector owns. */
    private static int verdict(ByteBuf packet, int type, int value, int length) {
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
            default:
                return FLAG_U;
        }
    }
}
