package io.packetparamedic.reflector.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.reflector.client.LinkClient;
import io.packetparamedic.reflector.rpc.Golden;
import io.packetparamedic.reflector.session.SessionDecision;
import io.packetparamedic.reflector.wire.DenyReason;
import io.packetparamedic.reflector.wire.Envelope;
import io.packetparamedic.reflector.wire.LinkCodec;
import io.packetparamedic.reflector.wire.Payload;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 2 item 4 and the request types of spec section 5, over a real mTLS connection. */
class ControlProtocolTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final Ed25519Identity appliance = Ed25519Identity.generate();
    private TestReflector server;

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    private TestReflector start(java.util.function.Consumer<io.packetparamedic.api.config.ReflectorConfig> more)
            throws Exception {
        server = TestReflector.start(dir, c -> {
            c.access.authorizedPeers.add(appliance.endpointId().toString());
            more.accept(c);
        });
        return server;
    }

    private static JsonNode json(Envelope e) throws Exception {
        return JSON.readTree(LinkCodec.encode(e));
    }

    @Test
    void helloGetsServerHelloOfExactlyTheGoldenShapeWithDefaults() throws Exception {
        start(c -> {});
        try (LinkClient c = server.connect(appliance)) {
            Envelope request = LinkCodec.decode(Golden.bytes("hello"));
            c.send(request);
            Envelope response = c.receive();
            // With the default quotas every value matches too, request ID included.
            assertThat(json(response)).isEqualTo(Golden.read("server_hello"));
        }
    }

    @Test
    void policySummaryComesFromTheConfiguredQuotas() throws Exception {
        start(c -> {
            c.quotas.maxTestDurationSec = 30;
            c.quotas.maxConcurrentTests = 2;
            c.quotas.maxTestsPerHourPerPeer = 7;
            c.quotas.allowThroughput = false;
        });
        try (LinkClient c = server.connect(appliance)) {
            Payload.PolicySummary p = c.hello().policySummary();
            assertThat(p).isEqualTo(new Payload.PolicySummary(30, 2, 7, List.of("udp_echo")));
        }
    }

    @Test
    void statusSnapshotReportsIdentityAndSessionFigures() throws Exception {
        start(c -> {});
        try (LinkClient c = server.connect(appliance)) {
            Envelope response = c.request(new Payload.GetStatus());
            Golden.assertSameStructure(
                    json(response).path("payload"),
                    withoutActiveTest(Golden.read("status_snapshot").path("payload")),
                    "status_snapshot");
            Payload.StatusSnapshot s = (Payload.StatusSnapshot) response.payload();
            assertThat(s.endpointId()).isEqualTo(server.identity.endpointId().toString());
            assertThat(s.activeTest()).isNull();
            assertThat(s.testsToday()).isEqualTo(3);
            assertThat(s.bytesToday()).isEqualTo(1234);
            assertThat(s.uptimeSec()).isBetween(0L, 60L);
        }
    }

    private static JsonNode withoutActiveTest(JsonNode golden) {
        com.fasterxml.jackson.databind.node.ObjectNode copy = golden.deepCopy();
        copy.putNull("active_test");
        return copy;
    }

    @Test
    void pathMetaComesFromThePathMetaSource() throws Exception {
        start(c -> {});
        try (LinkClient c = server.connect(appliance)) {
            assertThat(c.pathMeta()).isEqualTo(TestReflector.PATH_META);
        }
    }

    @Test
    void sessionRequestAndCloseReachTheSessionService() throws Exception {
        start(c -> {});
        try (LinkClient c = server.connect(appliance)) {
            Payload answer = c.sessionRequest("throughput", new Payload.SessionParams(10, "tcp", 4, false));
            assertThat(answer).isInstanceOf(Payload.SessionGrant.class);
            assertThat(server.sessions.requests)
                    .singleElement()
                    .satisfies(p -> assertThat(p.peerId()).isEqualTo(appliance.endpointId()))
                    .satisfies(p -> assertThat(p.remoteAddress().getAddress().isLoopbackAddress())
                            .isTrue());
            assertThat(c.sessionClose(((Payload.SessionGrant) answer).testId())).isEqualTo(new Payload.Ok());
        }
    }

    @Test
    void responsesKeepRequestOrderWhenASessionDecisionIsSlow() throws Exception {
        start(c -> {});
        CompletableFuture<SessionDecision> slow = new CompletableFuture<>();
        server.sessions.answerWith(r -> slow);
        try (LinkClient c = server.connect(appliance)) {
            c.send(new Envelope(
                    "a", new Payload.SessionRequest("udp_echo", new Payload.SessionParams(5, null, null, null))));
            c.send(new Envelope("b", new Payload.GetStatus()));
            c.send(new Envelope("c", new Payload.Hello("1.0", List.of())));
            // Neither b nor c may overtake a; complete a from another thread, as an engine would.
            CompletableFuture.runAsync(
                    () -> slow.complete(new SessionDecision.Denied(DenyReason.BUSY, "another test is running", 5L)));
            assertThat(c.receive())
                    .extracting(Envelope::requestId, e -> e.payload().getClass())
                    .containsExactly("a", Payload.SessionDeny.class);
            assertThat(c.receive().requestId()).isEqualTo("b");
            assertThat(c.receive().requestId()).isEqualTo("c");
        }
    }

    @Test
    void serverToClientTypesGet400AndTheConnectionStaysUsable() throws Exception {
        start(c -> {});
        try (LinkClient c = server.connect(appliance)) {
            for (Payload p : List.<Payload>of(
                    new Payload.Ok(),
                    new Payload.Error(500, "x"),
                    new Payload.PairResponse(true, "x", null),
                    new Payload.SessionDeny("busy", "x", null),
                    new Payload.FleetEndpoints(List.of()))) {
                Envelope response = c.request(p);
                assertThat(response.payload()).isEqualTo(new Payload.Error(400, "unexpected message type"));
            }
            Envelope golden = new Envelope("req-9", new Payload.ServerHello("1.0", List.of(), null, null));
            c.send(golden);
            assertThat(json(c.receive())).isEqualTo(Golden.read("error_unexpected"));
            assertThat(c.hello().version()).isEqualTo("1.0");
        }
    }

    @Test
    void garbageJsonAndUnknownTypesGet400AndTheConnectionStaysUsable() throws Exception {
        start(c -> {});
        try (LinkClient c = server.connect(appliance)) {
            c.sendRawFrame("{not json".getBytes(StandardCharsets.UTF_8));
            assertThat(c.receive().payload()).isEqualTo(new Payload.Error(400, "malformed JSON"));

            c.sendRawFrame(
                    "{\"request_id\":\"u1\",\"payload\":{\"type\":\"reboot\"}}".getBytes(StandardCharsets.UTF_8));
            Envelope unknown = c.receive();
            assertThat(unknown.requestId()).isEqualTo("u1");
            assertThat(unknown.payload()).isEqualTo(new Payload.Error(400, "unexpected message type"));

            c.sendRawFrame(new byte[0]);
            assertThat(c.receive().payload())
                    .isInstanceOf(Payload.Error.class)
                    .extracting(p -> ((Payload.Error) p).code())
                    .isEqualTo(400);

            assertThat(c.hello().version()).isEqualTo("1.0");
        }
        assertThat(server.reflector.metrics().scrape())
                .containsPattern("reflector_protocol_errors_total\\{code=\"400\"\\} 3");
    }
}
