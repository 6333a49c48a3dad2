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

    @TempDir
    Path dir;

    @Test
    void flushReturnsOnlyOnceEveryEarlierEventIsOnDisk() throws Exception {
        Path file = dir.resolve("a/b/audit.jsonl");
        try (AuditLog audit = new AuditLog(file, "PP-TEST")) {
            for (int round = 1; round <= 50; round++) {
                for (int i = 0; i < 20; i++) {
                    audit.record(
                            AuditEvent.of(AuditEventType.CONNECTION_ACCEPTED).withPeer("peer-" + round + "-" + i));
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
            audit.record(AuditEvent.of(AuditEventType.SESSION_DENIED)
                    .withPeer("p")
                    .withDecision("denied", "daily byte quota exceeded"));
            audit.record(AuditEvent.of(AuditEventType.SESSION_COMPLETED)
                    .withPeer("p")
                    .withTotals(42, 1.5));
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

    @Test
    void theFileRotatesBeforeItPassesTheLimitKeepingTheConfiguredNumberOfOldFiles() throws Exception {
        Path file = dir.resolve("audit.jsonl");
        AuditLog.Rotation rotation = new AuditLog.Rotation(4096, 2);
        int events = 200;
        try (AuditLog audit = new AuditLog(file, "PP-TEST", java.time.Clock.systemUTC(), rotation)) {
            for (int i = 0; i < events; i++) {
                audit.record(AuditEvent.of(AuditEventType.SESSION_DENIED)
                        .withPeer("peer-" + i)
                        .withDecision("denied", "x".repeat(100)));
            }
            assertThat(audit.flush(5, TimeUnit.SECONDS)).isTrue();
            assertThat(audit.rotationCount()).isGreaterThan(2);
        }
        Path first = dir.resolve("audit.jsonl.1");
        Path second = dir.resolve("audit.jsonl.2");
        assertThat(dir.resolve("audit.jsonl.3")).doesNotExist();
        for (Path p : List.of(file, first, second)) {
            assertThat(Files.size(p)).isLessThanOrEqualTo(4096);
            for (String line : Files.readAllLines(p)) LinkCodec.MAPPER.readTree(line); // whole lines only
        }
        // The newest events are in the live file, the ones before them in .1, then .2, in order.
        List<String> kept = new java.util.ArrayList<>(Files.readAllLines(second));
        kept.addAll(Files.readAllLines(first));
        kept.addAll(Files.readAllLines(file));
        assertThat(LinkCodec.MAPPER
                        .readTree(kept.get(kept.size() - 1))
                        .get("peer_id")
                        .asText())
                .isEqualTo("peer-" + (events - 1));
        for (int i = 1; i < kept.size(); i++) {
            int previous = Integer.parseInt(LinkCodec.MAPPER
                    .readTree(kept.get(i - 1))
                    .get("peer_id")
                    .asText()
                    .substring(5));
            int current = Integer.parseInt(LinkCodec.MAPPER
                    .readTree(kept.get(i))
                    .get("peer_id")
                    .asText()
                    .substring(5));
            assertThat(current).isEqualTo(previous + 1);
        }
    }

    @Test
    void theFileIsReadableByItsOwnerOnly() throws Exception {
        Path file = dir.resolve("audit.jsonl");
        try (AuditLog audit = new AuditLog(file, "PP-TEST")) {
            audit.record(AuditEvent.of(AuditEventType.CONNECTION_ACCEPTED).withPeer("p"));
            assertThat(audit.flush(5, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
    }
}
