package io.packetparamedic.reflector.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetparamedic.reflector.engine.NtpTime;
import io.packetparamedic.reflector.engine.StampGolden;
import io.packetparamedic.reflector.engine.StampHmac;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The Session-Sender's test packet against the capture in test resources, and its settings' figures. */
class StampSenderTest {

    @Test
    void theTestPacketMatchesTheCapture() throws Exception {
        StampSender.Settings settings = StampSender.Settings.of(1, 10, 8, 1000);
        ByteBuffer out = ByteBuffer.allocate(settings.packetLength());
        StampSender.writeTestPacket(out, 7, NtpTime.of(Instant.parse("2021-01-21T20:29:01.25Z")), 0xBEEF, 8);
        byte[] sent = Arrays.copyOf(out.array(), out.limit());
        assertThat(sent).isEqualTo(StampGolden.bytes("unauthenticated-sender"));
    }

    @Test
    void aSessionCoversThePacketsAndTheWaitForTheLastAnswer() {
        // 100 packets 10 ms apart (1 s) plus a 1 s wait, plus a second of slack.
        assertThat(StampSender.Settings.of(100, 10, 0, 1000).sessionSeconds()).isEqualTo(3);
        assertThat(StampSender.Settings.of(100, 10, 0, 1000).packetLength()).isEqualTo(52);
    }

    @Test
    void anAuthenticatedTestPacketIsTheCapturedOne() throws Exception {
        byte[] key = new byte[32];
        for (int i = 0; i < key.length; i++) key[i] = (byte) i;
        StampSender.Settings settings = StampSender.Settings.of(1, 10, 8, 1000, true);
        ByteBuffer out = ByteBuffer.allocate(settings.packetLength());
        StampSender.writeAuthenticatedTestPacket(
                out, 7, NtpTime.of(Instant.parse("2021-01-21T20:29:01.25Z")), 0xBEEF, 8, StampHmac.of(key));
        byte[] sent = new byte[out.remaining()];
        out.get(sent);
        assertThat(sent).isEqualTo(StampGolden.bytes("authenticated-sender"));
        assertThat(settings.packetLength()).isEqualTo(152);
    }
}
