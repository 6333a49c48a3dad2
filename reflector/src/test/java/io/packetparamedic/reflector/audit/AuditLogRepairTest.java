package io.packetparamedic.reflector.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetparamedic.reflector.wire.LinkCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20 item 2: an audit log whose last line was cut (power loss, a disk that filled
 * mid-line) is repaired by the next writer: the fragment goes, whole lines stay, and what is
 * appended starts on a line of its own.
 */
class AuditLogRepairTest {

    @TempDir
    Path dir;

    @Test
    void aCutLastLineIsRemovedBeforeTheNextLineIsAppended() throws Exception {
        Path file = dir.resolve("audit.jsonl");
        String whole = "{\"event_type\":\"session_granted\",\"n\":1}\n{\"event_type\":\"session_completed\",\"n\":2}\n";
        Files.writeString(file, whole + "{\"event_type\":\"session_gra", StandardCharsets.UTF_8);

        appendOne(file, "after-cut");

        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertThat(lines).hasSize(3);
        assertThat(lines.subList(0, 2)).containsExactly(whole.split("\n"));
        assertThat(LinkCodec.MAPPER.readTree(lines.get(2)).path("peer_id").asText())
                .isEqualTo("after-cut");
    }

    @Test
    void aFileThatIsOneCutLineBecomesEmptyFirst() throws Exception {
        Path file = dir.resolve("audit.jsonl");
        Files.writeString(file, "{\"event_ty", StandardCharsets.UTF_8);

        appendOne(file, "first");

        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertThat(lines).hasSize(1);
        assertThat(LinkCodec.MAPPER.readTree(lines.get(0)).path("peer_id").asText())
                .isEqualTo("first");
    }

    @Test
    void aWholeFileIsLeftAlone() throws Exception {
        Path file = dir.resolve("audit.jsonl");
        String whole = "{\"event_type\":\"session_granted\",\"n\":1}\n";
        Files.writeString(file, whole, StandardCharsets.UTF_8);

        appendOne(file, "next");

        assertThat(Files.readString(file)).startsWith(whole).endsWith("\n");
        assertThat(Files.readAllLines(file)).hasSize(2);
    }

    private static void appendOne(Path file, String peer) throws InterruptedException {
        try (AuditLog log = new AuditLog(file, "test", Clock.systemUTC())) {
            log.record(AuditEvent.of(AuditEventType.SESSION_DENIED).withPeer(peer));
            assertThat(log.flush(5, TimeUnit.SECONDS)).isTrue();
            assertThat(log.failureCount()).isZero();
        }
    }
}
