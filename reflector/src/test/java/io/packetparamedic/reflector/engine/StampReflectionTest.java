package io.packetparamedic.reflector.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The Session-Reflector's packet handling, byte for byte: the RFC 8762 reflector layout (golden
 * bytes), the RFC 8972 TLV flags, and an answer that is never longer than the test packet.
 */
class StampReflectionTest {

    /** 2021-01-21T20:29:01.5Z: NTP seconds 0xE3B4628D (1,611,260,941 + 2,208,988,800), fraction 0x80000000. */
    private static final Instant T2 = Instant.parse("2021-01-21T20:29:01.5Z");

    private final List<Long> residences = new ArrayList<>();
    private long nanos = 1_000;

    /** A reflection whose wall clock reads T2 and whose monotonic clock moves 7 µs per reading. */
    private StampReflection reflection() {
        return new StampReflection(Clock.fixed(T2, ZoneOffset.UTC), () -> nanos += 7_000, residences::add);
    }

    /** The answer to {@code packet} on a transport that reports nothing (the Netty path), or null. */
    private static ByteBuf reply(StampReflection r, ByteBuf packet) {
        return reply(r, packet, Arrival.unknown());
    }

    private static ByteBuf reply(StampReflection r, ByteBuf packet, Arrival arrival) {
        int length = packet.readableBytes();
        ByteBuf copy = Unpooled.buffer(length).writeBytes(packet);
        int answer = r.reflect(copy, 0, length, arrival);
        return answer < 0 ? null : copy.writerIndex(answer);
    }

    private static ByteBuf hex(String hex) {
        return Unpooled.wrappedBuffer(HexFormat.of().parseHex(hex.replace(" ", "")));
    }

    private static String hex(ByteBuf b) {
        return ByteBufUtil.hexDump(b);
    }

    /** Sender packet: seq 7, T1, error estimate 0x8001, SSID 0xBEEF, 28 MBZ octets. */
    private static final String SENDER_BASE = "00000007" + "e3b4628d40000000" + "8001" + "beef" + "00".repeat(28);

    @Test
    void ntpTimestampsCountFrom1900InBinaryFractions() {
        assertThat(Long.toHexString(NtpTime.of(T2))).isEqualTo("e3b4628d80000000");
        assertThat(NtpTime.toInstant(NtpTime.of(T2))).isEqualTo(T2);
        Instant odd = Instant.parse("2026-11-30T17:00:00.123456789Z");
        // 2^-32 s resolution: the round trip loses less than a nanosecond.
        assertThat(NtpTime.toInstant(NtpTime.of(odd)).getNano()).isBetween(123_456_788, 123_456_789);
    }

    @Test
    void theBasePacketIsReflectedInTheRfc8762Layout() {
        ByteBuf reply = reply(reflection(), hex(SENDER_BASE));
        String expected = "00000000" // reflector sequence: the first answer of the session
                + "e3b4628d80000000" // T3
                + "1601" // error estimate: S=0 Z=0 scale 22 multiplier 1
                + "beef" // SSID copied
                + "e3b4628d80000000" // T2
                + "00000007" // sender sequence
                + "e3b4628d40000000" // sender timestamp T1
                + "8001" // sender error estimate
                + "0000" // MBZ
                + "ff" // sender TTL: unknown to this reflector
                + "000000"; // MBZ
        assertThat(hex(reply)).isEqualTo(expected);
        assertThat(reply.readableBytes()).isEqualTo(StampPacket.BASE_LENGTH);
        assertThat(residences).containsExactly(7_000L);
    }

    @Test
    void theCapturedTestPacketGetsTheCapturedAnswer() throws Exception {
        ByteBuf reply = reply(reflection(), Unpooled.wrappedBuffer(StampGolden.bytes("unauthenticated-sender")));
        assertThat(hex(reply)).isEqualTo(HexFormat.of().formatHex(StampGolden.bytes("unauthenticated-reflector")));
    }

    @Test
    void theReflectorCountsItsOwnAnswersWhateverTheSenderNumbers() {
        StampReflection r = reflection();
        for (int i = 0; i < 3; i++) {
            ByteBuf reply = reply(r, hex(SENDER_BASE));
            assertThat(reply.getInt(StampPacket.SEQUENCE)).isEqualTo(i);
            assertThat(reply.getInt(StampPacket.SENDER_SEQUENCE)).isEqualTo(7);
        }
    }

    @Test
    void aTwampLightPacketGetsTheReflectorFieldsCutAtItsLength() {
        // RFC 5357's smallest padded sender packet: the reflector's fields end with the TTL octet.
        ByteBuf reply = reply(reflection(), hex(SENDER_BASE.substring(0, 2 * 41)));
        assertThat(reply.readableBytes()).isEqualTo(41);
        assertThat(reply.getInt(StampPacket.SENDER_SEQUENCE)).isEqualTo(7);
        assertThat(reply.getUnsignedByte(StampPacket.SENDER_TTL)).isEqualTo((short) 255);
    }

    @Test
    void aDatagramTooShortForTheReflectorFieldsIsNotAnswered() {
        StampReflection r = reflection();
        for (int length = 0; length < StampPacket.MIN_ANSWERED_LENGTH; length++) {
            assertThat(reply(r, Unpooled.wrappedBuffer(new byte[length])))
                    .as("length %d", length)
                    .isNull();
        }
    }

    @Test
    void knownTlvsAreFilledInAndPaddingKeepsItsLength() {
        String tlvs = "00030004" + "05020000" // Timestamp Information: sender's half set
                + "00010006" + "a1a2a3a4a5a6"; // Extra Padding, 6 octets
        ByteBuf reply = reply(reflection(), hex(SENDER_BASE + tlvs));
        String answered = hex(reply).substring(2 * StampPacket.BASE_LENGTH);
        assertThat(answered).isEqualTo("00030004" + "05020502" + "00010006" + "a1a2a3a4a5a6");
    }

    @Test
    void whatTheKernelReportedFillsT2TheTtlAndTheClassOfService() {
        Arrival arrival = Arrival.reported();
        long kernelNanos = 1_611_260_941_250_000_000L; // 2021-01-21T20:29:01.25Z
        arrival.set(kernelNanos, 7, 10 << 2 | 1); // TTL 7, DSCP 10 (AF11), ECN ECT(1)
        String tlvs = "00030004" + "00000000" // Timestamp Information as RFC 8972 senders send it
                + "00040004" + "b8000000"; // Class of Service: DSCP1 46 (EF) asked for the answer
        ByteBuf reply = reply(reflection(), hex(SENDER_BASE + tlvs), arrival);
        assertThat(Long.toHexString(reply.getLong(StampPacket.RECEIVE_TIMESTAMP)))
                .isEqualTo("e3b4628d40000000");
        assertThat(reply.getUnsignedByte(StampPacket.SENDER_TTL)).isEqualTo((short) 7);
        assertThat(hex(reply).substring(2 * StampPacket.BASE_LENGTH))
                .isEqualTo("00030004" + "05020502" // all four fields the reflector's: local clock, SW
                        + "00040004" + "b8a40000"); // DSCP1 46 | DSCP2 10 | ECN 1 | RP 0 | reserved 0
        assertThat(arrival.replyTos()).as("the answer is marked DSCP1, Not-ECT").isEqualTo(46 << 2);
        // Residence counts from the kernel's timestamp: the fixed wall clock is 250 ms later.
        assertThat(residences).containsExactly(250_000_000L);
    }

    @Test
    void unknownTypesAreFlaggedUAndMalformedOnesM() {
        String tlvs = "00090002" + "abcd" // type 9: not handled here -> U
                + "00030002" + "0502" // Timestamp Information of the wrong length -> M
                + "00040004" + "b8000000" // Class of Service: not measurable here -> U
                + "e0010001" + "ee"; // Extra Padding with the sender's flags set: cleared
        ByteBuf reply = reply(reflection(), hex(SENDER_BASE + tlvs));
        assertThat(hex(reply).substring(2 * StampPacket.BASE_LENGTH))
                .isEqualTo("80090002abcd" + "400300020502" + "80040004b8000000" + "00010001ee");
    }

    @Test
    void aTlvRunningPastTheEndIsFlaggedMAndEndsTheParsing() {
        String tlvs = "00010010" + "0102" // Extra Padding claiming 16 octets, 2 present
                + "";
        ByteBuf reply = reply(reflection(), hex(SENDER_BASE + tlvs));
        assertThat(hex(reply).substring(2 * StampPacket.BASE_LENGTH)).isEqualTo("400100100102");
        ByteBuf stub = reply(reflection(), hex(SENDER_BASE + "0003"));
        assertThat(hex(stub).substring(2 * StampPacket.BASE_LENGTH)).isEqualTo("4003");
    }

    @Test
    void theAnswerIsNeverLongerThanTheTestPacket() {
        Random random = new Random(17);
        StampReflection r = reflection();
        for (int i = 0; i < 20_000; i++) {
            byte[] packet = new byte[random.nextInt(300)];
            random.nextBytes(packet);
            ByteBuf reply = reply(r, Unpooled.wrappedBuffer(packet));
            if (packet.length < StampPacket.MIN_ANSWERED_LENGTH) {
                assertThat(reply).isNull();
            } else {
                assertThat(reply.readableBytes()).as("packet %d", i).isEqualTo(packet.length);
                reply.release();
            }
        }
    }
}
