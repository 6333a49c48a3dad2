package io.packetparamedic.reflector.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.reflector.client.LinkClient;
import io.packetparamedic.reflector.wire.Payload;
import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20 item 3: the data directory fills up under a running reflector. The reflector runs in
 * a private mount namespace ({@code unshare -m}) with a 64 KiB tmpfs on its data directory, so
 * nothing is mounted on the host; the test sees that file system through
 * {@code /proc/<pid>/root}. While the disk is full, tests are still granted, lost audit events are
 * counted and reported by one WARN, and the state file keeps its last whole version; once space
 * returns the audit log and the state file catch up by themselves, and every line is whole JSON.
 */
class DiskFullTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern FAILURES = Pattern.compile("(?m)^reflector_audit_write_failures_total\\s+(\\S+)");

    @TempDir
    Path dir;

    @Test
    void aFullDataDirectoryCostsAuditLinesOnlyAndRecoversByItself() throws Exception {
        Assumptions.assumeTrue(canMountPrivately(), "needs root and unshare -m (as CI has)");
        Ed25519Identity appliance = Ed25519Identity.generate();
        Path data = Files.createDirectory(dir.resolve("data"));
        Path config = dir.resolve("reflector.toml");
        Files.writeString(
                config,
                "[identity]\nprivate_key_path = \"" + dir.resolve("identity.ed25519") + "\"\n"
                        + "[state]\ndata_dir = \"" + data + "\"\n"
                        + "[logging]\naudit_log_path = \"" + data.resolve("audit.jsonl") + "\"\n"
                        + "[network]\nlisten_address = \"127.0.0.1:0\"\nlisten_address_health = \"127.0.0.1:0\"\n"
                        + "[quotas]\ncooldown_sec = 0\nmax_tests_per_hour_per_peer = 1000\n"
                        + "[access]\nauthorized_peers = [\"" + appliance.endpointId() + "\"]\n");
        List<String> command = new ArrayList<>(List.of(
                "unshare",
                "-m",
                "--propagation",
                "private",
                "sh",
                "-c",
                "mount -t tmpfs -o size=64k,mode=0700 tmpfs \"$0\" && exec \"$@\"",
                data.toString()));
        command.addAll(ServeProcess.cliCommand("-c", config.toString(), "serve"));

        try (ServeProcess serve = ServeProcess.start(Map.of(), command).awaitBanner(Duration.ofSeconds(60))) {
            // The reflector's view of its data directory: the tmpfs, invisible on the host.
            Path seen = Path.of("/proc/" + serve.process.pid() + "/root")
                    .resolve(data.toString().substring(1));
            Path audit = seen.resolve("audit.jsonl");
            Path state = seen.resolve("governance.json");
            assertThat(Files.exists(dir.resolve("data/audit.jsonl")))
                    .as("nothing reaches the host directory")
                    .isFalse();

            runTest(serve, appliance);
            await(() -> Files.exists(state) && testsToday(state) == 1, "the first test in governance.json");
            int wholeLinesBefore = auditLines(audit).size();

            long filler = fill(seen.resolve("filler"));
            // The audit file's last page may still have room for a few lines; then nothing fits.
            int testsWhileFull = 0;
            while (auditFailures(serve) < 1 && testsWhileFull < 20) {
                runTest(serve, appliance); // served although nothing can be written
                testsWhileFull++;
            }
            runTest(serve, appliance);
            runTest(serve, appliance);
            testsWhileFull += 2;
            await(() -> auditFailures(serve) >= 6, "audit failures counted"); // per test: accepted, granted, completed

            assertThat(testsToday(state)).as("the old state file, whole").isEqualTo(1);
            assertThat(Files.readString(audit)).as("only whole lines").endsWith("\n");
            auditLines(audit); // every line parses
            assertThat(Files.list(seen).map(p -> p.getFileName().toString())).doesNotContain("governance.json.tmp");
            assertThat(countOf(serve.stderr(), "event=audit_write_failed"))
                    .as("one WARN per interval")
                    .isEqualTo(1);
            assertThat(countOf(serve.stderr(), "event=governance_state_write_failed"))
                    .isEqualTo(1);

            Files.delete(seen.resolve("filler"));
            runTest(serve, appliance);
            long expectedTests = 1 + testsWhileFull + 1;
            await(() -> testsToday(state) == expectedTests, "governance.json caught up by its retry");
            await(
                    () -> auditLines(audit).stream()
                            .anyMatch(l -> l.path("event_type").asText().equals("session_completed")
                                    && auditLines(audit).size() > wholeLinesBefore),
                    "audit lines again");
            assertThat(serve.stderr())
                    .contains("event=audit_write_recovered")
                    .contains("event=governance_state_write_recovered");
            List<JsonNode> lines = auditLines(audit); // parses every line: fails on a partial one
            assertThat(lines.size()).isGreaterThan(wholeLinesBefore);
            assertThat(Files.readString(audit)).endsWith("\n");
            System.out.printf(
                    "disk full: filled %d bytes; %d audit events lost and counted; recovered to %d whole lines%n",
                    filler, (long) auditFailures(serve), lines.size());
        }
    }

    /** One short UDP echo test, closed at once: a grant and an end, each a state write and audit lines. */
    private static void runTest(ServeProcess serve, Ed25519Identity appliance) throws IOException {
        try (LinkClient c = LinkClient.connect("127.0.0.1", serve.port(), appliance, LinkClient.Options.defaults())) {
            c.hello();
            Payload reply = c.sessionRequest("udp_echo", new Payload.SessionParams(5, null, null, null));
            assertThat(reply).as("served while the disk is full").isInstanceOf(Payload.SessionGrant.class);
            c.sessionClose(((Payload.SessionGrant) reply).testId());
        }
    }

    private static long fill(Path filler) throws IOException {
        byte[] block = new byte[1024];
        long written = 0;
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (written < (1 << 20)) {
                out.write(block);
                out.flush();
                written += block.length;
            }
        } catch (IOException noSpace) {
            return written;
        }
        throw new AssertionError("the 64 KiB tmpfs took 1 MiB: it is not mounted");
    }

    private static long testsToday(Path state) {
        try {
            return JSON.readTree(Files.readAllBytes(state)).path("tests_today").asLong();
        } catch (IOException e) {
            throw new AssertionError("governance.json is not whole JSON", e);
        }
    }

    private static List<JsonNode> auditLines(Path audit) {
        return AuditLines.read(audit);
    }

    private static double auditFailures(ServeProcess serve) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(serve.healthUri().resolve("/metrics"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            Matcher m = FAILURES.matcher(r.body());
            return m.find() ? Double.parseDouble(m.group(1)) : -1;
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static int countOf(String text, String needle) {
        return text.split(Pattern.quote(needle), -1).length - 1;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(50); // files and /metrics of another process: polled, nothing to subscribe to
        }
    }

    private static boolean canMountPrivately() {
        try {
            Process p = new ProcessBuilder("unshare", "-m", "--propagation", "private", "true").start();
            return p.waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
