package io.packetparamedic.reflector.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.packetparamedic.reflector.wire.Envelope;
import io.packetparamedic.reflector.wire.LinkCodec;
import io.packetparamedic.reflector.wire.Payload;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Issue 16: the grant's optional limits (ours) are decoded by the deployed appliance client as
 * it decodes every grant (unknown fields ignored), and a grant without them is the spec's.
 */
class GrantLimitsTest {

    @Test
    void aGrantWithLimitsStillDecodesInTheFieldClientAndCarriesThem() throws Exception {
        Payload.SessionGrant grant = new Payload.SessionGrant(
                "550e8400-e29b-41d4-a716-446655440000",
                "direct_ephemeral",
                5201,
                "t",
                "2026-02-12T15:00:15+00:00",
                10,
                4,
                null,
                5,
                399_000_000_000L);
        String text = new String(LinkCodec.encode(new Envelope("req-1", grant)), StandardCharsets.UTF_8);
        JsonNode frame = FieldReplies.decode(text);
        JsonNode p = frame.path("payload");
        assertThat(p.path("port").asInt()).isEqualTo(5201);
        assertThat(p.path("duration_sec").asInt()).isEqualTo(10);
        assertThat(p.path("streams").asInt()).isEqualTo(4);
        assertThat(p.has("packet_rate")).isFalse();
        assertThat(p.path("cooldown_sec").asInt()).isEqualTo(5);
        assertThat(p.path("bytes_remaining_today").asLong()).isEqualTo(399_000_000_000L);
        assertThat(((Payload.SessionGrant) LinkCodec.decode(text.getBytes(StandardCharsets.UTF_8))
                                .payload())
                        .packetRate())
                .isNull();
    }

    @Test
    void aGrantWithoutLimitsHasOnlyTheSpecsFields() throws Exception {
        Payload.SessionGrant grant =
                new Payload.SessionGrant("id", "direct_ephemeral", 5201, "t", "2026-02-12T15:00:15+00:00");
        JsonNode p = FieldClient.JSON
                .readTree(LinkCodec.encode(new Envelope("req-1", grant)))
                .path("payload");
        assertThat(p.size()).isEqualTo(6); // type + the spec's five
    }
}
