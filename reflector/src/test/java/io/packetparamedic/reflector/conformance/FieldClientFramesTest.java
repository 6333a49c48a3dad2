package io.packetparamedic.reflector.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The conformance client's frames against the golden files of the deployed appliance client. */
class FieldClientFramesTest {

    private static String golden(String name) {
        return FieldClientGolden.text(name);
    }

    private static JsonNode goldenTree(String name) {
        return FieldClientGolden.tree(name);
    }

    @Test
    void everyFrameTheClientSendsIsItsGoldenFrame() throws IOException {
        assertThat(wire(FieldClient.hello())).isEqualTo(goldenTree("sends/hello.json"));
        assertThat(wire(FieldClient.pairRequest("req-1", "ABCD2345"))).isEqualTo(goldenTree("sends/pair_request.json"));
        assertThat(wire(FieldClient.throughputRequest("req-1", 10, 4, false)))
                .isEqualTo(goldenTree("sends/session_request_upload.json"));
        assertThat(wire(FieldClient.throughputRequest("req-2", 10, 4, true)))
                .isEqualTo(goldenTree("sends/session_request_download.json"));
    }

    /** A frame as its bytes on the wire read back (numbers compare by value, not by Java type). */
    private static JsonNode wire(JsonNode frame) throws IOException {
        return FieldClient.JSON.readTree(FieldClient.JSON.writeValueAsBytes(frame));
    }

    @Test
    void sentFramesDecodeAsTheFieldClientsOwnTypes() throws IOException {
        for (String f : new String[] {"hello", "pair_request", "session_request_upload", "session_request_download"}) {
            assertThat(FieldReplies.decode(golden("sends/" + f + ".json")))
                    .isEqualTo(goldenTree("sends/" + f + ".json"));
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "server_hello",
                "pair_response_ok",
                "pair_response_fail",
                "session_grant",
                "session_grant_nanos",
                "session_deny",
                "session_deny_no_retry",
                "error"
            })
    void everyReplyShapeItMustDecodeDecodes(String name) throws IOException {
        JsonNode frame = FieldReplies.decode(golden("replies/" + name + ".json"));
        assertThat(FieldReplies.type(frame)).isEqualTo(name.replaceAll("_(ok|fail|nanos|no_retry)$", ""));
    }

    /** The decoder is as strict as the field client's types: these are what a reflector must never send. */
    @Test
    void repliesTheFieldClientCannotDecodeAreRejected() throws IOException {
        JsonNode deny = goldenTree("replies/session_deny.json");
        Stream.of(
                        deny.toString().replace("quota_exceeded", "resource_exhausted"),
                        deny.toString().replace("\"message\":", "\"text\":"),
                        deny.toString().replace("18180", "-1"),
                        deny.toString().replace("18180", "1.5"),
                        golden("replies/session_grant.json").replace("5243", "70000"),
                        golden("replies/pair_response_fail.json")
                                .replace("\"message\": \"invalid or expired pairing code\"", "\"message\": null"),
                        golden("replies/server_hello.json").replace("\"max_tests_per_hour\": 10,", ""),
                        "{\"request_id\": \"req-1\", \"payload\": {\"type\": \"session_granted\"}}",
                        "{\"payload\": {\"type\": \"ok\"}}")
                .forEach(text -> assertThatThrownBy(() -> FieldReplies.decode(text))
                        .as(text)
                        .isInstanceOf(FieldClientException.class)
                        .hasMessageStartingWith("failed to decode frame"));
        // Unknown fields are ignored and optional ones may be absent, as serde does.
        assertThat(FieldReplies.decode(deny.toString().replace("\"retry_after_sec\":18180", "\"extra\":[1,2]")))
                .isNotNull();
    }
}
