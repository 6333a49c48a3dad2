package io.packetparamedic.reflector.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * Authenticated mode byte for byte (RFC 8762 sections 4.2.2, 4.3.2 and 4.4; RFC 8972 section 4.8)
 * with a fixed key: the golden captures' HMACs are checked by a plain {@link Mac} at the RFC's
 * offsets, the captured test packet gets the captured answer, and a packet with a wrong key, a
 * flipped bit or too short is never answered; a damaged TLV gets the answer RFC 8972 asks for.
 */
class StampAuthenticationTest {

    private static final Instant T2 = Instant.parse("2021-01-21T20:29:01.5Z");
    private static final byte[] KEY = new byte[32];

    static {
        for (int i = 0; i < KEY.length; i++) KEY[i] = (byte) i;
    }

    private int failures;

    private StampReflection reflection(byte[] key) {
        return new StampReflection(
                Clock.fixed(T2, ZoneOffset.UTC), () -> 1_000, n -> {}, StampHmac.of(key), () -> failures++);
    }

    private static byte[] hmac(byte[]... parts) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(KEY, "HmacSHA256"));
        for (byte[] part : parts) mac.update(part);
        return Arrays.copyOf(mac.doFinal(), 16);
    }

    /** The answer to {@code packet} (answered in place on a copy), or null when it is dropped. */
    private static ByteBuf reply(StampReflection reflection, byte[] packet) {
        ByteBuf copy = Unpooled.copiedBuffer(packet);
        int answer = reflection.reflect(copy, 0, packet.length, Arrival.unknown());
        return answer < 0 ? null : copy.writerIndex(answer);
    }

    /** Both HMACs of a captured packet, recomputed independently at RFC 8762 / RFC 8972 offsets. */
    private static void assertHmacs(byte[] p) throws Exception {
        assertThat(Arrays.copyOfRange(p, 96, 112))
                .as("base HMAC over octets 0-95")
                .isEqualTo(hmac(Arrays.copyOfRange(p, 0, 96)));
        int hmacTlv = p.length - 20;
        assertThat(p[hmacTlv + 1]).isEqualTo((byte) StampPacket.TYPE_HMAC);
        assertThat(Arrays.copyOfRange(p, hmacTlv + 4, p.length))
                .as("HMAC TLV over the Sequence Number and the TLVs before it")
                .isEqualTo(hmac(Arrays.copyOfRange(p, 0, 4), Arrays.copyOfRange(p, 112, hmacTlv)));
    }

    @Test
    void theCapturesCarryTheHmacsWhereTheRfcsPutThem() throws Exception {
        byte[] sender = StampGolden.bytes("authenticated-sender");
        byte[] reflector = StampGolden.bytes("authenticated-reflector");
        assertThat(sender).hasSize(152);
        assertThat(reflector).hasSize(152);
        assertHmacs(sender);
        assertHmacs(reflector);
    }

    @Test
    void theCapturedTestPacketGetsTheCapturedAnswer() throws Exception {
        ByteBuf reply = reply(reflection(KEY), StampGolden.bytes("authenticated-sender"));
        assertThat(ByteBufUtil.hexDump(reply))
                .isEqualTo(HexFormat.of().formatHex(StampGolden.bytes("authenticated-reflector")));
        assertThat(failures).isZero();
    }

    @Test
    void aPacketUnderAnotherKeyIsNotAnsweredAndDoesNotAdvanceTheSequence() throws Exception {
        byte[] otherKey = KEY.clone();
        otherKey[31] ^= 1;
        StampReflection reflection = reflection(otherKey);
        assertThat(reply(reflection, StampGolden.bytes("authenticated-sender"))).isNull();
        assertThat(failures).isEqualTo(1);
        // The same reflection still answers a packet made with its own key, as its first answer.
        StampReflection right = reflection(KEY);
        assertThat(reply(right, StampGolden.bytes("authenticated-sender")).getInt(0))
                .isZero();
    }

    @Test
    void anyFlippedBitInTheBasePacketIsNotAnswered() throws Exception {
        StampReflection reflection = reflection(KEY);
        for (int octet = 0; octet < 112; octet++) {
            byte[] packet = StampGolden.bytes("authenticated-sender");
            packet[octet] ^= 0x10;
            assertThat(reply(reflection, packet))
                    .as("bit flipped in octet %d", octet)
                    .isNull();
        }
        assertThat(failures).isEqualTo(112);
        assertThat(reply(reflection, StampGolden.bytes("authenticated-sender")).getInt(0))
                .as("nothing was answered, so the first answer is still number 0")
                .isZero();
    }

    @Test
    void aPacketTooShortToCarryAnHmacIsNotAnswered() throws Exception {
        byte[] packet = Arrays.copyOf(StampGolden.bytes("authenticated-sender"), 111);
        assertThat(reply(reflection(KEY), packet)).isNull();
        assertThat(failures).isEqualTo(1);
    }

    @Test
    void aDamagedTlvIsAnsweredWithEveryTlvFlaggedI() throws Exception {
        byte[] packet = StampGolden.bytes("authenticated-sender");
        packet[124] ^= 0x01; // inside the Extra Padding value: covered by the HMAC TLV only
        ByteBuf reply = reply(reflection(KEY), packet);
        assertThat(reply)
                .as("the base HMAC holds, so RFC 8972 section 4.8 says answer")
                .isNotNull();
        byte[] answer = ByteBufUtil.getBytes(reply);
        assertThat(answer[112] & 0xFF).isEqualTo(StampPacket.FLAG_I); // Timestamp Information
        assertThat(answer[120] & 0xFF).isEqualTo(StampPacket.FLAG_I); // Extra Padding
        assertThat(answer[132] & 0xFF).isEqualTo(StampPacket.FLAG_I); // HMAC TLV
        assertThat(Arrays.copyOfRange(answer, 116, 120))
                .as(
                        "not processed: Timestamp Information stays as received (zeros), the reflector's clocks not filled in")
                .containsExactly(0, 0, 0, 0);
        assertThat(Arrays.copyOfRange(answer, 96, 112)).isEqualTo(hmac(Arrays.copyOfRange(answer, 0, 96)));
        assertThat(failures).isZero();
    }

    @Test
    void tlvsWithoutAnHmacTlvAreFlaggedIUnlessOnlyExtraPadding() throws Exception {
        byte[] signed = StampGolden.bytes("authenticated-sender");
        // Base packet plus the two TLVs, HMAC TLV cut off: the base HMAC still verifies.
        byte[] noHmacTlv = Arrays.copyOf(signed, 132);
        byte[] answer = ByteBufUtil.getBytes(reply(reflection(KEY), noHmacTlv));
        assertThat(answer[112] & StampPacket.FLAG_I).isNotZero();
        assertThat(answer[120] & StampPacket.FLAG_I).isNotZero();
        // Base packet plus one Extra Padding TLV only: RFC 8972 section 4.8's one exception.
        byte[] paddingOnly = new byte[112 + 12];
        System.arraycopy(signed, 0, paddingOnly, 0, 112);
        System.arraycopy(signed, 120, paddingOnly, 112, 12);
        byte[] padded = ByteBufUtil.getBytes(reply(reflection(KEY), paddingOnly));
        assertThat(padded[112] & 0xFF).as("Extra Padding understood, no flag").isZero();
        assertThat(padded).hasSize(paddingOnly.length);
    }
}
