package io.packetparamedic.reflector.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.packetparamedic.reflector.wire.LinkCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditLogTest {

    @TempDir Path dir;

    @Test
    void flushReturnsOnlyOnceEveryEarlierEventIsOnDisk() throws Exception {
        Path file = dir.resolve("a/b/audit.jsonl");
        try (AuditLog audit = new AuditLog(file, "PP-TEST")) {
            for (int round = 1; round <= 50; round++) {
                for (int i = 0; i < 20; i++) {
                    audit.record(AuditEvent.of(AuditEventType.CONNECTION_ACCEPTED).withPeer("peer-" + round + "-" + i));
                }
                assertThat(audit.flush(5, TimeUnit.SECONDS)).isTrue();
                // No waiting beyond flush: the lines must already be there.
                assertThat(Files.readAllLines(file)).hasSize(round * 20);
            }
        }
    }

    @Test
    void linesAreJsonWithRfc3339TimestampsInRecordOrder() throws Exception {
        Path file = dir.resolve("audit.jsonl");
        try (AuditLog audit = new AuditLog(file, "PP-TEST")) {
            audit.record(AuditEvent.of(AuditEventType.SESSION_DENIED).withPeer("p").withDecision("denied",
                    "daily byte quota exceeded"));
            audit.record(AuditEvent.of(AuditEventType.SESSION_COMPLETED).withPeer("p").withTotals(42, 1.5));
            assertThat(audit.flush(5, TimeUnit.SECONDS)).isTrue();
        }
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(2);
        JsonNode denied = LinkCodec.MAPPER.readTree(lines.get(0));
        JsonNode completed = LinkCodec.MAPPER.readTree(lines.get(1));
        OffsetDateTime.parse(denied.get("timestamp").asText());
        assertThat(denied.get("event_type").asText()).isEqualTo("session_denied");
        assertThat(denied.get("endpoint_id").asText()).isEqualTo("PP-TEST");
        assertThat(denied.get("reason").asText()).isEqualTo("daily byte quota exceeded");
        assertThat(denied.has("bytes_transferred")).isFalse();
        assertThat(completed.get("bytes_transferred").asLong()).isEqualTo(42);
        assertThat(completed.get("duration_sec").asDouble()).isEqualTo(1.5);
    }
}
