package io.packetparamedic.reflector.server;

import static io.packetparamedic.reflector.server.TestReflector.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.reflector.client.LinkClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 2 item 8: the audit log as the connection handling writes it. */
class ConnectionAuditTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Predicate<JsonNode> CONNECTION_LINE =
            n -> n.path("event_type").asText().startsWith("connection_");

    @TempDir
    Path dir;

    private final Ed25519Identity appliance = Ed25519Identity.generate();
    private TestReflector server;

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    private void connectAndHello(Ed25519Identity who) {
        try (LinkClient c = server.connect(who)) {
            c.hello();
        } catch (IOException expectedForStrangers) {
            // a denied peer's exchange fails; its audit line is what this test is about
        }
    }

    @Test
    void oneValidJsonLinePerConnectionInADeepPathThatSurvivesRestarts() throws Exception {
        server = TestReflector.start(
                dir, c -> c.access.authorizedPeers.add(appliance.endpointId().toString()));
        Path audit = server.auditPath();
        assertThat(audit.toString()).contains("/logs/deep/er/");

        connectAndHello(appliance);
        connectAndHello(Ed25519Identity.generate());
        connectAndHello(appliance);
        server.awaitAudit(event("connection_denied"));
        List<JsonNode> lines = awaitConnectionLines(3);
        assertThat(lines).filteredOn(event("connection_accepted")).hasSize(2);
        assertThat(lines).filteredOn(event("connection_denied")).hasSize(1);

        List<String> raw = Files.readAllLines(audit);
        for (String line : raw) {
            JsonNode n = JSON.readTree(line);
            assertThat(n.isObject()).isTrue();
            OffsetDateTime ts = OffsetDateTime.parse(n.path("timestamp").asText());
            assertThat(ts.getOffset()).isEqualTo(ZoneOffset.UTC);
            assertThat(n.path("endpoint_id").asText())
                    .isEqualTo(server.identity.endpointId().toString());
        }
        for (JsonNode n : lines) assertThat(n.path("remote_address").asText()).startsWith("127.0.0.1:");

        server.restart();
        connectAndHello(appliance);
        awaitConnectionLines(4);
        List<String> after = Files.readAllLines(audit);
        assertThat(after.subList(0, raw.size())).isEqualTo(raw);
        assertThat(after).hasSizeGreaterThan(raw.size());
    }

    @Test
    void unwritableAuditPathDoesNotStopTheServer() throws Exception {
        Path blocker = dir.resolve("not-a-dir");
        Files.writeString(blocker, "a file where the log directory should be");
        server = TestReflector.start(dir, c -> {
            c.access.authorizedPeers.add(appliance.endpointId().toString());
            c.logging.auditLogPath = blocker.resolve("audit.jsonl").toString();
        });
        try (LinkClient c = server.connect(appliance)) {
            assertThat(c.hello().version()).isEqualTo("1.0");
        }
        assertThatThrownBy(() -> Files.readAllLines(blocker.resolve("audit.jsonl")))
                .isInstanceOf(IOException.class);
    }

    private List<JsonNode> awaitConnectionLines(int count) throws Exception {
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (true) {
            List<JsonNode> lines =
                    server.auditLines().stream().filter(CONNECTION_LINE).toList();
            if (lines.size() >= count || System.nanoTime() > deadline) {
                assertThat(lines).hasSize(count);
                return lines;
            }
            Thread.sleep(20);
        }
    }
}
