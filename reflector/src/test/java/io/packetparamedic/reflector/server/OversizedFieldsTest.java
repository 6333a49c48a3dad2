package io.packetparamedic.reflector.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.reflector.client.LinkClient;
import io.packetparamedic.reflector.wire.Envelope;
import io.packetparamedic.reflector.wire.LinkCodec;
import io.packetparamedic.reflector.wire.Payload;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 item 6, the attack as the review ran it: an authorized peer sends requests whose
 * {@code test_type} is a megabyte long; each used to be audited in full (2 MB of audit log per
 * request). Now every string a peer sends is capped and an oversized one is a 400 that reaches
 * neither the session layer nor the audit log.
 */
class OversizedFieldsTest {

    @TempDir
    Path dir;

    private final Ed25519Identity appliance = Ed25519Identity.generate();
    private TestReflector server;

    @BeforeEach
    void start() throws Exception {
        server = TestReflector.start(
                dir, c -> c.access.authorizedPeers.add(appliance.endpointId().toString()));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static byte[] sessionRequest(String requestId, String testType) {
        return ("{\"request_id\":\"" + requestId + "\",\"payload\":{\"type\":\"session_request\",\"test_type\":\""
                        + testType + "\",\"params\":{\"duration_sec\":5}}}")
                .getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void megabyteStringsAreRefusedWith400AndNeverReachTheAuditLog() throws Exception {
        String huge = "x".repeat(1_000_000);
        try (LinkClient c = server.connect(appliance)) {
            c.hello();
            for (int i = 0; i < 20; i++) {
                c.sendRawFrame(sessionRequest("r" + i, huge));
                Envelope reply = c.receive();
                assertThat(reply.payload()).isInstanceOfSatisfying(Payload.Error.class, e -> {
                    assertThat(e.code()).isEqualTo(400);
                    assertThat(e.message()).contains(LinkCodec.MAX_REQUEST_STRING + " characters");
                });
            }
            // A huge field name is refused alike; the connection keeps serving.
            c.sendRawFrame(("{\"request_id\":\"n\",\"payload\":{\"type\":\"get_status\",\"" + huge + "\":1}}")
                    .getBytes(StandardCharsets.UTF_8));
            assertThat(c.receive().payload()).isInstanceOf(Payload.Error.class);
            // Strings up to the cap are fine: a request ID of exactly 512 characters is echoed.
            String longestId = "i".repeat(LinkCodec.MAX_REQUEST_STRING);
            c.sendRawFrame(("{\"request_id\":\"" + longestId + "\",\"payload\":{\"type\":\"get_status\"}}")
                    .getBytes(StandardCharsets.UTF_8));
            Envelope status = c.receive();
            assertThat(status.requestId()).isEqualTo(longestId);
            assertThat(status.payload()).isInstanceOf(Payload.StatusSnapshot.class);
        }
        server.awaitAudit(TestReflector.event("connection_accepted", appliance.endpointId()));
        assertThat(server.auditLines()).noneMatch(TestReflector.event("session_denied"));
        assertThat(Files.size(server.auditPath())).isLessThan(4096);
    }
}
