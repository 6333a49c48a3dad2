package io.packetparamedic.reflector.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.reflector.client.LinkClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code reflector peers list|remove} and {@code pair --close} against {@code reflector serve} in a
 * child JVM, with {@link LinkClient} as the appliance over real TLS.
 */
class PeersCommandTest {

    private static final Duration START = Duration.ofSeconds(60);
    private static final Pattern CODE = Pattern.compile("Pairing code: ([A-Z0-9]{8})");

    @TempDir
    Path dir;

    final Ed25519Identity configured = Ed25519Identity.generate();
    Path config;
    ServeProcess serve;

    @BeforeEach
    void startServer() throws Exception {
        config = Cli.configIn(dir, """
                [network]
                listen_address = "127.0.0.1:0"
                listen_address_health = "127.0.0.1:0"
                [[access.peers]]
                endpoint_id = "%s"
                name = "lab"
                """.formatted(configured.endpointId()));
        serve = ServeProcess.start(Map.of(), "-c", config.toString(), "serve").awaitBanner(START);
    }

    @AfterEach
    void stopServer() throws Exception {
        if (serve != null) serve.close();
    }

    LinkClient appliance(Ed25519Identity identity) throws Exception {
        return serve.connectPinned(identity);
    }

    Cli.Result cli(String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "-c";
        all[1] = config.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        return Cli.run(all);
    }

    String pairCode() {
        Cli.Result pair = cli("pair", "--ttl", "1h30m");
        assertThat(pair.exitCode()).as(pair.err()).isZero();
        assertThat(pair.out()).contains("(in 1h30m)");
        Matcher m = CODE.matcher(pair.out());
        assertThat(m.find()).as(pair.out()).isTrue();
        return m.group(1);
    }

    @Test
    void listShowsConfiguredAndPairedPeersAndRemoveCutsThePairedOneOffAtOnce() throws Exception {
        Ed25519Identity key = Ed25519Identity.generate();
        String id = key.endpointId().toString();
        String code = pairCode();
        try (LinkClient c = appliance(key)) {
            assertThat(c.pair(code).success()).isTrue();

            Cli.Result list = cli("peers", "list");
            assertThat(list.exitCode()).as(list.err()).isZero();
            assertThat(list.out().lines().toList()).hasSize(3);
            assertThat(list.out())
                    .containsPattern("NAME +ENDPOINT ID +SOURCE +PAIRED AT +LAST SEEN +TESTS/1H +BYTES TODAY");
            assertThat(list.out()).containsPattern("lab +" + configured.endpointId() + " +config +- +- +0 +0 bytes");
            assertThat(list.out())
                    .containsPattern("- +" + id + " +paired +\\d{4}-\\d\\d-\\d\\dT\\S+Z +connected now +0 +0 bytes");
            Cli.Result json = cli("peers", "list", "--json");
            assertThat(json.out())
                    .contains("\"source\":\"paired\"", "\"paired_through\":\"local\"", "\"connections\":1");

            // An unambiguous start of the Endpoint ID is enough.
            Cli.Result removed = cli("peers", "remove", id.substring(0, 12).toLowerCase());
            assertThat(removed.exitCode()).as(removed.err()).isZero();
            assertThat(removed.out()).isEqualTo("Removed peer " + id + " (1 connection closed).\n");

            // The authenticated connection is cut off: its next request fails.
            assertThat(c.awaitClosedByServer()).isTrue();
            assertThatThrownBy(c::status).isInstanceOf(IOException.class);
        }
        // Reconnecting is refused: it is an unknown peer again, and no window is open.
        try (LinkClient again = appliance(key)) {
            assertThat(again.awaitClosedByServer()).isTrue();
            assertThat(again.hasAnswered()).isFalse();
        }
        assertThat(cli("peers", "list").out()).doesNotContain(id);
        assertThat(Files.readString(dir.resolve("state/paired_peers.json"))).doesNotContain(id);
        awaitAuditLine("\"event_type\":\"peer_removed\"", id);
    }

    @Test
    void aPeerFromTheConfigurationFileIsNotRemovedButTheMessageSaysWhereItIs() throws Exception {
        Cli.Result r = cli("peers", "remove", "lab");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err())
                .isEqualTo("error: the reflector refused: peer " + configured.endpointId() + " is listed in "
                        + config + " ([access] authorized_peers or [[access.peers]]); remove it there and the running "
                        + "reflector applies the change\n");
        try (LinkClient c = appliance(configured)) {
            assertThat(c.status().endpointId()).isEqualTo(serve.endpointId());
        }
        Cli.Result unknown = cli("peers", "remove", "PP-ZZZZ-ZZZZ");
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.err())
                .contains("no authorized peer is named or has an Endpoint ID starting with \"PP-ZZZZ-ZZZZ\"");
    }

    @Test
    void pairCloseEndsTheWindowEarlyAndALateCodeIsAuditedAsFromAClosedWindow() throws Exception {
        String code = pairCode();
        try (LinkClient waiting = appliance(Ed25519Identity.generate())) {
            waiting.hello(); // pairing-only while the window is open

            Cli.Result close = cli("pair", "--close");
            assertThat(close.exitCode()).as(close.err()).isZero();
            assertThat(close.out()).startsWith("Closed the pairing window (it was open until ");
            assertThat(cli("status").out()).contains("Pairing window:  closed");

            assertThat(waiting.pair(code).success()).isFalse();
        }
        assertThat(cli("pair", "--close").out()).isEqualTo("No pairing window was open.\n");
        assertThat(cli("pair", "--close", "--ttl", "5m").exitCode()).isEqualTo(2);
        awaitAuditLine("\"event_type\":\"pairing_closed\"");
        awaitAuditLine("\"event_type\":\"pairing_failed\"", "\"reason\":\"code of a window closed by the operator\"");
    }

    /**
     * Waits until the server's audit log has a line with every fragment (the child JVM writes it
     * from its own thread), and returns that line.
     */
    String awaitAuditLine(String... fragments) throws Exception {
        Path log = dir.resolve("state/audit.jsonl");
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            if (Files.exists(log)) {
                for (String line : Files.readAllLines(log)) {
                    if (java.util.Arrays.stream(fragments).allMatch(line::contains)) return line;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no audit line with " + java.util.Arrays.toString(fragments) + " in "
                        + (Files.exists(log) ? Files.readString(log) : "(no audit log)"));
            }
            Thread.onSpinWait();
            Thread.sleep(20); // polling a file another process writes: there is no event to wait on
        }
    }
}
