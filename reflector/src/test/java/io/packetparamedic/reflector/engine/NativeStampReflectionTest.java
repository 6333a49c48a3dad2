package io.packetparamedic.reflector.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The native path makes unauthenticated STAMP answers in C (libppdata's send); the Java reflection
 * ({@link StampReflection}, {@link StampTlvs}) makes them everywhere else. Both must give the
 * same octets for the same test packet, receive time, TTL and TOS: compared here on hand-made
 * packets and on random ones (random base fields, random TLV sequences with known and unknown
 * types, wrong lengths and truncated tails). T3 is outside the comparison: the C side writes it at
 * the send.
 */
class NativeStampReflectionTest {

    private static final int SLOT = 2048;

    private final ByteBuffer packet = ByteBuffer.allocateDirect(SLOT);
    private final ByteBuffer meta =
            ByteBuffer.allocateDirect(NativeUdp.META_SIZE).order(ByteOrder.nativeOrder());

    @BeforeEach
    void nativeLibrary() {
        DataPath.NATIVE.expectedTransport();
    }

    /**
     * The Java answer with {@code sequence} as the reflector's Sequence Number and T3 left as
     * received, or null for none; its reply TOS in {@code replyTos[0]}.
     */
    private static byte[] javaAnswer(byte[] test, int sequence, long kernelNanos, int ttl, int tos, int[] replyTos) {
        StampReflection reflection =
                new StampReflection(Clock.fixed(Instant.EPOCH, ZoneOffset.UTC), System::nanoTime, residence -> {});
        Arrival arrival = Arrival.reported();
        arrival.set(kernelNanos, ttl, tos);
        ByteBuf copy = Unpooled.wrappedBuffer(test.clone());
        int length = reflection.reflect(copy, 0, test.length, arrival);
        replyTos[0] = arrival.replyTos();
        if (length < 0) return null;
        byte[] answer = ByteBufUtil.getBytes(copy, 0, length);
        System.arraycopy(test, StampPacket.TIMESTAMP, answer, StampPacket.TIMESTAMP, 8);
        // A fresh reflection answers its first packet with Sequence Number 0; a session's later
        // answers differ only there (StampReflectionTest counts them).
        ByteBuffer.wrap(answer).putInt(StampPacket.SEQUENCE, sequence);
        return answer;
    }

    /** The C answer (T3 not yet written), or null for none; its reply TOS in {@code replyTos[0]}. */
    private byte[] nativeAnswer(byte[] test, int sequence, long kernelNanos, int ttl, int tos, int[] replyTos) {
        packet.clear();
        packet.put(test);
        meta.putLong(NativeUdp.RX_NANOS, kernelNanos);
        meta.putInt(NativeUdp.TTL, ttl);
        meta.putInt(NativeUdp.TOS, tos);
        meta.putInt(NativeUdp.STAMP_SEQUENCE, sequence);
        int length = NativeUdp.reflectStamp(packet, test.length, meta);
        replyTos[0] = meta.getInt(NativeUdp.REPLY_TOS);
        if (length < 0) return null;
        assertThat(meta.getInt(NativeUdp.T3_OFFSET)).isEqualTo(StampPacket.TIMESTAMP);
        byte[] answer = new byte[length];
        packet.get(0, answer);
        return answer;
    }

    private void assertSameAnswer(byte[] test, int sequence, long kernelNanos, int ttl, int tos) {
        int[] javaTos = {0};
        int[] nativeTos = {0};
        byte[] expected = javaAnswer(test, sequence, kernelNanos, ttl, tos, javaTos);
        byte[] actual = nativeAnswer(test, sequence, kernelNanos, ttl, tos, nativeTos);
        String what = HexFormat.of().formatHex(test) + " ttl " + ttl + " tos " + tos;
        assertThat(actual == null ? null : HexFormat.of().formatHex(actual))
                .as(what)
                .isEqualTo(expected == null ? null : HexFormat.of().formatHex(expected));
        assertThat(nativeTos[0]).as("reply TOS for " + what).isEqualTo(javaTos[0]);
    }

    @Test
    void handMadePacketsGetTheJavaAnswers() {
        byte[] base = HexFormat.of().parseHex("00000007" + "e3b4628d40000000" + "8001" + "beef" + "00".repeat(28));
        long kernel = 1_611_260_941_250_000_000L;
        assertSameAnswer(base, 0, kernel, 64, 0);
        assertSameAnswer(base, 41, kernel, -1, -1); // TTL and TOS unknown: 255, Class of Service U
        assertSameAnswer(java.util.Arrays.copyOf(base, 41), 3, kernel, 7, 0); // TWAMP-Light length
        assertSameAnswer(java.util.Arrays.copyOf(base, 40), 3, kernel, 7, 0); // too short: no answer
        String tlvs = "00030004" + "00000000" // Timestamp Information
                + "00040004" + "b8000000" // Class of Service, DSCP1 46
                + "e0010003" + "a1a2a3" // Extra Padding with the sender's flags set
                + "00080010" + "00".repeat(16) // HMAC: not understood without a key
                + "00090002" + "abcd" // unknown type
                + "00030002" + "0502" // Timestamp Information of the wrong length
                + "000100ff" + "01"; // Extra Padding running past the end
        byte[] withTlvs = HexFormat.of().parseHex(HexFormat.of().formatHex(base) + tlvs);
        assertSameAnswer(withTlvs, 9, kernel, 7, 10 << 2 | 1);
        assertSameAnswer(withTlvs, 9, kernel, 7, -1);
        byte[] tail = HexFormat.of().parseHex(HexFormat.of().formatHex(base) + "000100");
        assertSameAnswer(tail, 1, kernel, 1, 3); // a tail too short for a TLV header
    }

    @Test
    void randomPacketsGetTheJavaAnswers() {
        Random random = new Random(20261201);
        int[] types = {0, 1, 2, 3, 4, 5, 8, 9, 255};
        for (int n = 0; n < 20_000; n++) {
            ByteBuf test = Unpooled.buffer(SLOT);
            byte[] base = new byte[36 + random.nextInt(9)]; // 36..44: some too short to answer
            random.nextBytes(base);
            test.writeBytes(base);
            if (base.length == 44) {
                int tlvCount = random.nextInt(5);
                for (int t = 0; t < tlvCount && test.writerIndex() < 1400; t++) {
                    int type = types[random.nextInt(types.length)];
                    int length = random.nextInt(4) == 0 ? random.nextInt(40) : type == 8 ? 16 : 4;
                    boolean truncate = random.nextInt(12) == 0;
                    test.writeByte(random.nextInt(256)).writeByte(type).writeShort(truncate ? length + 9 : length);
                    byte[] value = new byte[length];
                    random.nextBytes(value);
                    test.writeBytes(value);
                }
                if (random.nextInt(10) == 0) test.writeZero(1 + random.nextInt(3));
            }
            long kernel = 1_000_000_000L * (1 + random.nextInt(2_000_000_000)) + random.nextInt(1_000_000_000);
            int ttl = random.nextInt(10) == 0 ? -1 : random.nextInt(256);
            int tos = random.nextInt(10) == 0 ? -1 : random.nextInt(256);
            assertSameAnswer(ByteBufUtil.getBytes(test), random.nextInt(Integer.MAX_VALUE), kernel, ttl, tos);
        }
    }
}
