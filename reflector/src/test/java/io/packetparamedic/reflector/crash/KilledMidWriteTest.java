package io.packetparamedic.reflector.crash;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.packetparamedic.reflector.audit.AuditEvent;
import io.packetparamedic.reflector.audit.AuditEventType;
import io.packetparamedic.reflector.audit.AuditLog;
import io.packetparamedic.reflector.auth.PeerStore;
import io.packetparamedic.reflector.governance.GovernanceStore;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20 item 2: SIGKILL while the governance state, the paired peers and the audit log are
 * being written in a tight loop, at a different moment each round. Afterwards the state files
 * are each a whole version (the atomic replace), and the audit log holds whole lines up to at most
 * one cut last line, which the next writer removes before it appends valid JSON Lines.
 */
class KilledMidWriteTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ROUNDS = 6;

    @TempDir
    Path dir;

    @Test
    void killedWritersLeaveWholeStateFilesAndARepairableAuditLog() throws Exception {
        Random random = new Random(20);
        int cutLines = 0;
        for (int round = 0; round < ROUNDS; round++) {
            Process child = new ProcessBuilder(
                            Path.of(System.getProperty("java.home"), "bin", "java")
                                    .toString(),
                            "-XX:+UseSerialGC",
                            "-XX:TieredStopAtLevel=1",
                            "-cp",
                            System.getProperty("java.class.path"),
                            StateWriteLoop.class.getName(),
                            dir.toString())
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            try (BufferedReader out =
                    new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                assertThat(out.readLine()).isEqualTo("writing");
            }
            // Not synchronisation: the moment of the kill is what varies from round to round.
            Thread.sleep(20 + random.nextInt(300));
            child.destroyForcibly(); // SIGKILL
            assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();

            JsonNode state = JSON.readTree(Files.readAllBytes(dir.resolve(GovernanceStore.FILE_NAME)));
            assertThat(state.path("tests_today").asLong()).isPositive();
            assertThat(GovernanceStore.inDataDir(dir).load()).isNotNull();
            PeerStore.open(dir, Clock.systemUTC()); // throws on a damaged file

            byte[] audit = Files.readAllBytes(dir.resolve("audit.jsonl"));
            List<String> lines = new ArrayList<>(List.of(new String(audit, StandardCharsets.UTF_8).split("\n", -1)));
            String tail = lines.remove(lines.size() - 1); // after the last newline: empty, or a cut line
            for (String line : lines) JSON.readTree(line);
            if (!tail.isEmpty()) cutLines++;

            try (AuditLog next = new AuditLog(dir.resolve("audit.jsonl"), "after-kill", Clock.systemUTC())) {
                next.record(AuditEvent.of(AuditEventType.SESSION_DENIED).withPeer("after-round-" + round));
                assertThat(next.flush(5, TimeUnit.SECONDS)).isTrue();
            }
            List<String> repaired = Files.readAllLines(dir.resolve("audit.jsonl"), StandardCharsets.UTF_8);
            for (String line : repaired) JSON.readTree(line); // every line whole
            assertThat(repaired).hasSize(lines.size() + 1);
            assertThat(JSON.readTree(repaired.get(repaired.size() - 1))
                            .path("peer_id")
                            .asText())
                    .isEqualTo("after-round-" + round);
        }
        System.out.printf(
                "killed mid-write %d times: state files whole every time; %d audit logs ended in a cut line, all repaired%n",
                ROUNDS, cutLines);
    }
}
