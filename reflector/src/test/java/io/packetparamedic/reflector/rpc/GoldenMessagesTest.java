package io.packetparamedic.reflector.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.packetparamedic.api.config.ReflectorConfig;
import io.packetparamedic.reflector.wire.Envelope;
import io.packetparamedic.reflector.wire.LinkCodec;
import io.packetparamedic.reflector.wire.Payload;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Spec section 12: every golden request decodes; every response we encode has its golden file's structure. */
class GoldenMessagesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest
    @ValueSource(
            strings = {
                "hello",
                "session_request_throughput",
                "session_request_udp_echo",
                "session_close",
                "get_status",
                "pair_request",
                "get_path_meta"
            })
    void decoderAcceptsEveryGoldenRequest(String name) throws Exception {
        Envelope envelope = LinkCodec.decode(Golden.bytes(name));
        JsonNode golden = Golden.read(name);
        assertThat(envelope.requestId()).isEqualTo(golden.path("request_id").asText());
        assertThat(RequestDispatcher.isClientMessage(envelope.payload())).isTrue();
        // And it encodes back to the same structure (what a client library sends).
        Golden.assertSameStructure(JSON.readTree(LinkCodec.encode(envelope)), golden, name);
    }

    static Stream<Arguments> responses() {
        String id = "PP-7DN2-FF6E-PTJ2-TRN3-N382-MVRD-EDJK-45BQ-3QH4-79HT-R14A-32TS-V8MG-K";
        String peer = "PP-0EGG-FFZK-SR8B-W7BG-VMCE-EJY0-K5KY-9NHG-KEJG-TQRX-VJ36-84JN-66W0-A";
        String test = "550e8400-e29b-41d4-a716-446655440000";
        return Stream.of(
                Arguments.of("server_hello", ServerHellos.of(new ReflectorConfig())),
                Arguments.of(
                        "session_grant",
                        new Payload.SessionGrant(test, "direct_ephemeral", 5201, "t", "2026-02-12T15:00:15+00:00")),
                Arguments.of(
                        "session_deny_quota",
                        new Payload.SessionDeny("quota_exceeded", "daily byte quota exceeded for this peer", null)),
                Arguments.of("session_deny_rate_limited", new Payload.SessionDeny("rate_limited", "rate limit", 60L)),
                Arguments.of("ok", new Payload.Ok()),
                Arguments.of(
                        "status_snapshot",
                        new Payload.StatusSnapshot(
                                id,
                                3600,
                                new Payload.ActiveTest(test, "throughput", peer, "2026-02-12T14:59:55+00:00", 12),
                                3,
                                1234567890L,
                                null)),
                Arguments.of("pair_response_ok", new Payload.PairResponse(true, "paired successfully", id)),
                Arguments.of("pair_response_fail", new Payload.PairResponse(false, "pairing failed", null)),
                Arguments.of(
                        "path_meta",
                        new Payload.PathMeta(0.05, 412, 7823, List.of(0.2, 0.15, 0.1), 1500, true, "0.1.0", "abc")),
                Arguments.of("error_unexpected", new Payload.Error(400, "unexpected message type")),
                Arguments.of(
                        "error_pairing_required",
                        new Payload.Error(403, "pairing required before sending other messages")));
    }

    @ParameterizedTest
    @MethodSource("responses")
    void encoderOutputHasTheGoldenStructure(String name, Payload payload) throws Exception {
        JsonNode golden = Golden.read(name);
        JsonNode ours = JSON.readTree(
                LinkCodec.encode(new Envelope(golden.path("request_id").asText(), payload)));
        Golden.assertSameStructure(ours, golden, name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"server_hello", "error_unexpected", "error_pairing_required"})
    void fixedResponsesMatchTheirGoldenFilesExactly(String name) throws Exception {
        JsonNode golden = Golden.read(name);
        Payload payload = switch (name) {
            case "server_hello" -> ServerHellos.of(new ReflectorConfig());
            case "error_unexpected" -> new Payload.Error(400, "unexpected message type");
            default -> new Payload.Error(403, "pairing required before sending other messages");
        };
        JsonNode ours = JSON.readTree(
                LinkCodec.encode(new Envelope(golden.path("request_id").asText(), payload)));
        assertThat(ours).isEqualTo(golden);
    }
}
