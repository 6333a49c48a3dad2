package io.packetparamedic.reflector.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.reflector.client.LinkClient;
import io.packetparamedic.reflector.wire.Payload;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code reflector serve} in a child JVM, driven by the CLI in-process ({@code pair},
 * {@code status}) and by {@link LinkClient} as an appliance: issue 2 item 5 (CLI part) and the
 * live {@code status}.
 */
class ServeCommandTest {

    private static final Duration START = Duration.ofSeconds(60);
    private static final Pattern CODE = Pattern.compile("Pairing code: ([A-Z0-9]{8})");

    @TempDir
    Path dir;

    Path config;
    ServeProcess serve;

    @BeforeEach
    void startServer() throws Exception {
        config = Cli.configIn(
                dir, "[network]\nlisten_address = \"127.0.0.1:0\"\nlisten_address_health = \"127.0.0.1:0\"\n");
        serve = ServeProcess.start(Map.of(), "-c", config.toString(), "serve").awaitBanner(START);
    }

    @AfterEach
    void stopServer() throws Exception {
        if (serve != null) serve.close();
    }

    LinkClient appliance(Ed25519Identity identity) throws Exception {
        return serve.connectPinned(identity);
    }

    @Test
    void bannerShowsEndpointIdListenAddressAndTheRealDataPlane() {
        String banner = serve.stdout();
        assertThat(Cli.run("-c", config.toString(), "show-id").outLine()).isEqualTo(serve.endpointId());
        assertThat(banner).contains("Listening on:  127.0.0.1:" + serve.port());
        assertThat(banner)
                .contains("Data plane:    direct ports 5201-5299 (TCP and UDP); network.mode = \"tunneled\" "
                        + "is accepted but not implemented, grants say direct_ephemeral");
        assertThat(banner).contains("Admin socket:  " + dir.resolve("state/admin.sock"));
        assertThat(banner).contains("Pairing:       no window open; open one with: reflector pair");
    }

    @Test
    void aCleanStartLogsNoWarning() {
        // A warning at every start teaches operators to ignore warnings (one came from Micrometer,
        // about a meter registered before its registry was added).
        assertThat((serve.stdout() + serve.stderr()).lines())
                .filteredOn(l -> l.contains("level=WARN") || l.contains("level=ERROR"))
                .isEmpty();
    }

    @Test
    void anEditOfTheConfigurationFileAppliesToTheRunningServer() throws Exception {
        Ed25519Identity appliance = Ed25519Identity.generate();
        assertThatThrownBy(() -> {
                    try (LinkClient c = appliance(appliance)) {
                        c.hello();
                    }
                })
                .as("not authorized yet, and no pairing window")
                .isInstanceOf(IOException.class);

        Files.writeString(
                config,
                Files.readString(config)
                        + "[access]\nauthorized_peers = [\"" + appliance.endpointId() + "\"]\n"
                        + "[quotas]\nmax_tests_per_hour_per_peer = 3\n");
        serve.awaitStderr("event=config_applied authorized_peers=1 ", Duration.ofSeconds(30));

        try (LinkClient c = appliance(appliance)) {
            assertThat(c.hello().policySummary().maxTestsPerHour()).isEqualTo(3);
        }
        assertThat(serve.stderr()).doesNotContain("event=config_needs_restart");
    }

    @Test
    void pairOpensAWindowOnTheRunningServerThatAnApplianceThenUses() throws Exception {
        Ed25519Identity applianceKey = Ed25519Identity.generate();
        try (LinkClient before = appliance(applianceKey)) {
            assertThat(before.awaitClosedByServer())
                    .as("unknown peer without a window is closed")
                    .isTrue();
        }

        Cli.Result pair = Cli.run("-c", config.toString(), "pair", "--ttl", "2m");

        assertThat(pair.exitCode()).as(pair.err()).isZero();
        assertThat(pair.out()).contains("Endpoint ID:  " + serve.endpointId());
        Matcher code = CODE.matcher(pair.out());
        assertThat(code.find()).as(pair.out()).isTrue();
        Matcher expiry = Pattern.compile("Expires at:   (\\S+) \\(in 2m\\)").matcher(pair.out());
        assertThat(expiry.find()).as(pair.out()).isTrue();
        assertThat(Duration.between(Instant.now(), Instant.parse(expiry.group(1))))
                .isBetween(Duration.ofSeconds(100), Duration.ofSeconds(121));

        try (LinkClient c = appliance(applianceKey)) {
            Payload.PairResponse response = c.pair(code.group(1));
            assertThat(response.success()).as(response.message()).isTrue();
            assertThat(response.endpointId()).isEqualTo(serve.endpointId());
            assertThat(c.status().endpointId()).isEqualTo(serve.endpointId()); // upgraded in place
        }
        // The window is consumed; the peer is enrolled for good.
        Cli.Result status = Cli.run("-c", config.toString(), "status");
        assertThat(status.out()).contains("Peers:           1 authorized").contains("Pairing window:  closed");
        try (LinkClient again = appliance(applianceKey)) {
            assertThat(again.hello().version()).isEqualTo("1.0");
        }
    }

    @Test
    void pairWithTheAppliancesOwnCodeAndAWrongCode() throws Exception {
        Cli.Result pair = Cli.run("-c", config.toString(), "pair", "--code", "abcd2345", "--ttl", "30s");
        assertThat(pair.exitCode()).as(pair.err()).isZero();
        assertThat(pair.out()).contains("Pairing code: ABCD2345");

        try (LinkClient wrong = appliance(Ed25519Identity.generate())) {
            assertThat(wrong.pair("ABCD2346").success()).isFalse();
        }
        try (LinkClient right = appliance(Ed25519Identity.generate())) {
            assertThat(right.pair("ABCD2345").success()).isTrue();
        }
    }

    @Test
    void statusShowsLiveFigures() throws Exception {
        Cli.run("-c", config.toString(), "pair", "--ttl", "10m");
        Ed25519Identity key = Ed25519Identity.generate();
        try (LinkClient open = appliance(key)) {
            open.hello(); // pairing-only peers may say hello; the connection stays open

            Cli.Result status = Cli.run("-c", config.toString(), "status");
            Cli.Result json = Cli.run("-c", config.toString(), "status", "--json");

            assertThat(status.exitCode()).as(status.err()).isZero();
            assertThat(status.out())
                    .contains("Endpoint ID:     " + serve.endpointId())
                    .containsPattern("Uptime:          \\d+s")
                    .contains("Connections:     1")
                    .contains("Peers:           0 authorized")
                    .containsPattern("Pairing window:  open \\(local\\) until \\d{4}-")
                    .contains("Active test:     none")
                    .contains("Tests today:     0");
            assertThat(json.out()).contains("\"connections\":1", "\"authorized_peers\":0", "\"pairing_window\":{");
        }
    }

    @Test
    void aSecondServerOnTheSameDataDirectoryIsRefusedAndSigtermStopsCleanly() throws Exception {
        Cli.Result second;
        try (ServeProcess other = ServeProcess.start(Map.of(), "-c", config.toString(), "serve")) {
            assertThat(other.process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS))
                    .isTrue();
            assertThat(other.process.exitValue()).isEqualTo(1);
            assertThat(other.stderr()).contains("error: another reflector is already running");
        }
        Path socket = dir.resolve("state/admin.sock");
        assertThat(Files.exists(socket)).isTrue();

        serve.stop();

        assertThat(Files.exists(socket)).as("admin socket removed on shutdown").isFalse();
        second = Cli.run("-c", config.toString(), "status");
        assertThat(second.exitCode()).isEqualTo(1);
        assertThat(second.err()).contains("no running reflector");
    }
}
