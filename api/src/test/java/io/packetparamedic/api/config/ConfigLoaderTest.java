package io.packetparamedic.api.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    @TempDir
    Path dir;

    @Test
    void noFileGivesEveryDefaultOfSpecSection9() {
        ReflectorConfig c = ConfigLoader.load(null, Map.of("XDG_CONFIG_HOME", dir.toString()))
                .config();
        assertThat(c.identity.privateKeyPath).isEqualTo("/var/lib/reflector/identity.ed25519");
        assertThat(c.network.listenAddress).isEqualTo("0.0.0.0:4000");
        assertThat(c.network.listenAddressHealth).isEqualTo("0.0.0.0:7301");
        assertThat(c.network.alpn).isEqualTo("pp-link/1");
        assertThat(c.network.requireAlpn).isFalse();
        assertThat(c.network.mode).isEqualTo("tunneled");
        assertThat(c.network.dataPath).isEqualTo("auto");
        assertThat(c.network.dataPortRangeStart).isEqualTo(5201);
        assertThat(c.network.dataPortRangeEnd).isEqualTo(5299);
        assertThat(c.access.pairingEnabled).isFalse();
        assertThat(c.access.authorizedPeers).isEmpty();
        assertThat(c.quotas.maxTestDurationSec).isEqualTo(60);
        assertThat(c.quotas.maxConcurrentTests).isEqualTo(1);
        assertThat(c.quotas.maxTestsPerHourPerPeer).isEqualTo(10);
        assertThat(c.quotas.maxBytesPerDayPerPeer).isEqualTo(400_000_000_000L);
        assertThat(c.quotas.cooldownSec).isEqualTo(5);
        assertThat(c.quotas.allowUdpEcho).isTrue();
        assertThat(c.quotas.allowThroughput).isTrue();
        assertThat(c.iperf3.path).isEqualTo("iperf3");
        assertThat(c.iperf3.defaultStreams).isEqualTo(4);
        assertThat(c.iperf3.maxStreams).isEqualTo(8);
        assertThat(c.logging.level).isEqualTo("info");
        assertThat(c.logging.auditLogPath).isEqualTo("/var/lib/reflector/audit.jsonl");
        assertThat(c.dataDir()).isEqualTo(Path.of("/var/lib/reflector"));
    }

    @Test
    void partialFileKeepsDefaultsForTheRest() throws Exception {
        Path f = dir.resolve("reflector.toml");
        Files.writeString(f, """
                [quotas]
                max_concurrent_tests = 3

                [access]
                authorized_peers = ["pp-7dn2-ff6e-ptj2-trn3-n382-mvrd-edjk-45bq-3qh4-79ht-r14a-32ts-v8mg-k"]
                """);
        ConfigLoader.Loaded loaded = ConfigLoader.load(null, Map.of(ConfigLoader.ENV_CONFIG, f.toString()));
        assertThat(loaded.source()).contains(f);
        assertThat(loaded.config().quotas.maxConcurrentTests).isEqualTo(3);
        assertThat(loaded.config().quotas.cooldownSec).isEqualTo(5);
        assertThat(loaded.config().network.listenAddress).isEqualTo("0.0.0.0:4000");
        assertThat(loaded.warnings()).isEmpty();
    }

    @Test
    void unknownKeysInEveryTableAreErrorsNamingTheKeyAndTheLikelyIntendedOne() throws Exception {
        Path f = dir.resolve("reflector.toml");
        Files.writeString(f, """
                [quotas]
                max_tests_per_hour = 4
                legacy_knob = "x"

                [netwrok]
                listen_address = "127.0.0.1:4000"

                [[access.peers]]
                endpoint_id = "PP-7DN2-FF6E-PTJ2-TRN3-N382-MVRD-EDJK-45BQ-3QH4-79HT-R14A-32TS-V8MG-K"
                nmae = "lab"
                """);
        assertThatThrownBy(() -> ConfigLoader.loadFile(f))
                .isInstanceOf(ConfigException.class)
                .hasMessage(f
                        + ": unknown key quotas.max_tests_per_hour (did you mean quotas.max_tests_per_hour_per_peer?); "
                        + "unknown key quotas.legacy_knob; "
                        + "unknown key netwrok (did you mean network?); "
                        + "unknown key access.peers[0].nmae (did you mean access.peers[0].name?)");
        for (String table : new String[] {"identity", "network", "access", "quotas", "iperf3", "logging", "state"}) {
            assertThatThrownBy(() -> ConfigLoader.parse("[" + table + "]\nbogus_key = 1\n", "f.toml"))
                    .as(table)
                    .hasMessage("f.toml: unknown key " + table + ".bogus_key");
        }
        assertThatThrownBy(() ->
                        ConfigLoader.parse("[[access.pairing_codes]]\ncode = \"K7MX2QPA\"\nexpires = 1\n", "f.toml"))
                .hasMessage(
                        "f.toml: unknown key access.pairing_codes[0].expires (did you mean access.pairing_codes[0].expires_at?)");
    }

    @Test
    void unknownKeysAreWarningsWhenTheCallerAsksForThat() throws Exception {
        Path f = dir.resolve("reflector.toml");
        Files.writeString(
                f,
                "[quotas]\nmax_concurrent_tests = 3\nlegacy_knob = \"x\"\n[telemetry]\nendpoint = \"http://example\"\n");
        ConfigLoader.Loaded loaded = ConfigLoader.loadFile(f, ConfigLoader.UnknownKeys.WARN);
        assertThat(loaded.config().quotas.maxConcurrentTests).isEqualTo(3);
        assertThat(loaded.warnings())
                .containsExactlyInAnyOrder(
                        f + ": unknown key quotas.legacy_knob (ignored)", f + ": unknown key telemetry (ignored)");
    }

    @Test
    void aFractionOrANonPositiveLimitIsRefusedWithTheFullKey() {
        assertThatThrownBy(() -> ConfigLoader.parse("[quotas]\nmax_tests_per_hour_per_peer = 2.5\n", "f.toml"))
                .hasMessage(
                        "f.toml: invalid value for quotas.max_tests_per_hour_per_peer: must be a positive integer, got 2.5");
        assertThatThrownBy(() -> ConfigLoader.parse("[quotas]\nmax_tests_per_hour_per_peer = 0\n", "f.toml"))
                .hasMessage(
                        "f.toml: invalid value for quotas.max_tests_per_hour_per_peer: must be a positive integer, got 0");
        assertThatThrownBy(() -> ConfigLoader.parse("[quotas]\nmax_bytes_per_day_per_peer = -1\n", "f.toml"))
                .hasMessage(
                        "f.toml: invalid value for quotas.max_bytes_per_day_per_peer: must be a positive integer, got -1");
        assertThatThrownBy(() -> ConfigLoader.parse("[quotas]\nmax_concurrent_tests = 0\n", "f.toml"))
                .hasMessage("f.toml: invalid value for quotas.max_concurrent_tests: must be a positive integer, got 0");
        assertThatThrownBy(() -> ConfigLoader.parse("[quotas]\ncooldown_sec = 1.5\n", "f.toml"))
                .hasMessage("f.toml: invalid value for quotas.cooldown_sec: must be an integer >= 0, got 1.5");
        assertThatThrownBy(() -> ConfigLoader.parse("[network]\nmax_unauthenticated_percent = 101\n", "f.toml"))
                .hasMessage(
                        "f.toml: invalid value for network.max_unauthenticated_percent: must be an integer from 1 to 100, got 101");
        assertThatThrownBy(() -> ConfigLoader.parse("""
                [[access.peers]]
                endpoint_id = "PP-7DN2-FF6E-PTJ2-TRN3-N382-MVRD-EDJK-45BQ-3QH4-79HT-R14A-32TS-V8MG-K"
                max_bytes_per_day_per_peer = 0
                """, "f.toml"))
                .hasMessage(
                        "f.toml: invalid value for access.peers[0].max_bytes_per_day_per_peer: must be a positive integer, got 0");
        assertThatThrownBy(() -> ConfigLoader.parse("[quotas]\nmax_concurrent_tests = \"3\"\n", "f.toml"))
                .hasMessage(
                        "f.toml: invalid value for quotas.max_concurrent_tests: must be a positive integer, got \"3\"");
        // A cooldown of 0 means none, and stays allowed.
        assertThat(ConfigLoader.parse("[quotas]\ncooldown_sec = 0\n", "f.toml").config().quotas.cooldownSec)
                .isZero();
    }

    @Test
    void aTildeInAPathMeansTheHomeDirectory() throws Exception {
        Path f = dir.resolve("reflector.toml");
        Files.writeString(f, """
                [identity]
                private_key_path = "~/reflector/identity.ed25519"
                [logging]
                audit_log_path = "~/reflector/audit.jsonl"
                [state]
                data_dir = "~"
                [iperf3]
                path = "~/bin/iperf3"
                """);
        Path home = Path.of(System.getenv().getOrDefault("HOME", System.getProperty("user.home")));
        ReflectorConfig c = ConfigLoader.loadFile(f).config();
        assertThat(c.privateKeyPath()).isEqualTo(home.resolve("reflector/identity.ed25519"));
        assertThat(c.identity.privateKeyPath)
                .isEqualTo(home.resolve("reflector/identity.ed25519").toString());
        assertThat(c.auditLogPath()).isEqualTo(home.resolve("reflector/audit.jsonl"));
        assertThat(c.dataDir()).isEqualTo(home);
        assertThat(c.iperf3.path).isEqualTo(home.resolve("bin/iperf3").toString());
        assertThatThrownBy(() -> ConfigLoader.parse("[identity]\nprivate_key_path = \"~bob/id\"\n", "f.toml"))
                .hasMessage("f.toml: invalid value for identity.private_key_path: only ~ and ~/… (your home directory) "
                        + "are expanded, not ~user; got \"~bob/id\"");
    }

    @Test
    void malformedTomlNamesTheFile() throws Exception {
        Path f = dir.resolve("bad.toml");
        Files.writeString(f, "[quotas\nmax = ");
        assertThatThrownBy(() -> ConfigLoader.load(f))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(f + ": malformed TOML at line");
    }

    @Test
    void invalidValuesNameFileAndKey() {
        assertThatThrownBy(() -> ConfigLoader.parse("[quotas]\nmax_concurrent_tests = \"many\"\n", "f.toml"))
                .hasMessageStartingWith("f.toml: invalid value for quotas.max_concurrent_tests");
        assertThatThrownBy(() -> ConfigLoader.parse("[network]\nmode = \"carrier-pigeon\"\n", "f.toml"))
                .hasMessageStartingWith("f.toml: invalid value for network.mode");
        assertThatThrownBy(() -> ConfigLoader.parse("[network]\ndata_path = \"native\"\n", "f.toml"))
                .hasMessageStartingWith("f.toml: invalid value for network.data_path");
        assertThatThrownBy(() -> ConfigLoader.parse(
                        "[network]\ndata_port_range_start = 6000\ndata_port_range_end = 5000\n", "f.toml"))
                .hasMessageStartingWith("f.toml: invalid value for network.data_port_range_end");
        assertThatThrownBy(() -> ConfigLoader.parse("[access]\nauthorized_peers = [\"PP-1234\"]\n", "f.toml"))
                .hasMessageStartingWith("f.toml: invalid value for access.authorized_peers[0]");
        assertThatThrownBy(() -> ConfigLoader.parse("[network]\nlisten_address = \"nohost\"\n", "f.toml"))
                .hasMessageStartingWith("f.toml: invalid value for network.listen_address");
    }

    @Test
    void aPeerNameNamesOnePeer() {
        String twoKitchens = """
                [[access.peers]]
                endpoint_id = "PP-7DN2-FF6E-PTJ2-TRN3-N382-MVRD-EDJK-45BQ-3QH4-79HT-R14A-32TS-V8MG-K"
                name = "kitchen"
                [[access.peers]]
                endpoint_id = "PP-0EGG-FFZK-SR8B-W7BG-VMCE-EJY0-K5KY-9NHG-KEJG-TQRX-VJ36-84JN-66W0-A"
                name = "Kitchen"
                """;
        assertThatThrownBy(() -> ConfigLoader.parse(twoKitchens, "f.toml"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("f.toml: invalid value for access.peers[1].name: \"Kitchen\" is already the name of "
                        + "access.peers[0]; names must be unique");
        // Unnamed peers are fine, however many.
        ReflectorConfig c = ConfigLoader.parse(
                        twoKitchens.replace("name = \"kitchen\"\n", "").replace("name = \"Kitchen\"\n", ""), "f.toml")
                .config();
        assertThat(c.access.peers).hasSize(2);
    }

    private static final String MEMBER_A = "PP-7DN2-FF6E-PTJ2-TRN3-N382-MVRD-EDJK-45BQ-3QH4-79HT-R14A-32TS-V8MG-K";
    private static final String MEMBER_B = "PP-0EGG-FFZK-SR8B-W7BG-VMCE-EJY0-K5KY-9NHG-KEJG-TQRX-VJ36-84JN-66W0-A";

    @Test
    void fleetMembersAreReadValidatedAndRenderedBack() {
        String toml =
                "[[fleet.members]]\nendpoint_id = \"" + MEMBER_A + "\"\naddress = \"192.0.2.11:4000\"\nready = true\n"
                        + "[[fleet.members]]\nendpoint_id = \"" + MEMBER_B + "\"\naddress = \"[2001:db8::2]:4000\"\n";
        ReflectorConfig c = ConfigLoader.parse(toml, "f.toml").config();
        assertThat(c.fleetMembers())
                .extracting(m -> m.endpointId, m -> m.address, m -> m.ready)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(MEMBER_A, "192.0.2.11:4000", true),
                        org.assertj.core.groups.Tuple.tuple(MEMBER_B, "[2001:db8::2]:4000", false));
        ReflectorConfig again =
                ConfigLoader.parse(ConfigLoader.render(c), "rendered").config();
        assertThat(again.fleetMembers())
                .usingRecursiveFieldByFieldElementComparator()
                .isEqualTo(c.fleetMembers());

        // Outside a fleet there is no section, and rendering adds none.
        ReflectorConfig plain = ConfigLoader.parse("", "f.toml").config();
        assertThat(plain.fleetMembers()).isEmpty();
        assertThat(ConfigLoader.render(plain)).doesNotContain("fleet");
    }

    @Test
    void aFleetMemberNeedsAValidUniqueEndpointIdAndAHostPort() {
        assertThatThrownBy(() -> ConfigLoader.parse(
                        "[[fleet.members]]\nendpoint_id = \"PP-nonsense\"\naddress = \"192.0.2.1:4000\"\n", "f.toml"))
                .hasMessageStartingWith("f.toml: invalid value for fleet.members[0].endpoint_id: ");
        assertThatThrownBy(() -> ConfigLoader.parse(
                        "[[fleet.members]]\nendpoint_id = \"" + MEMBER_A + "\"\naddress = \"192.0.2.1\"\n", "f.toml"))
                .hasMessage("f.toml: invalid value for fleet.members[0].address: must be host:port, got \"192.0.2.1\"");
        assertThatThrownBy(
                        () -> ConfigLoader.parse("[[fleet.members]]\nendpoint_id = \"" + MEMBER_A + "\"\n", "f.toml"))
                .hasMessage("f.toml: invalid value for fleet.members[0].address: must not be empty");
        String twice = "[[fleet.members]]\nendpoint_id = \"" + MEMBER_A + "\"\naddress = \"192.0.2.1:4000\"\n"
                + "[[fleet.members]]\nendpoint_id = \"" + MEMBER_A.toLowerCase() + "\"\naddress = \"192.0.2.2:4000\"\n";
        assertThatThrownBy(() -> ConfigLoader.parse(twice, "f.toml"))
                .hasMessage("f.toml: invalid value for fleet.members[1].endpoint_id: already the Endpoint ID of "
                        + "fleet.members[0]; each reflector is listed once");
        assertThatThrownBy(() -> ConfigLoader.parse("[fleet]\nmembrs = 1\n", "f.toml"))
                .hasMessage("f.toml: unknown key fleet.membrs (did you mean fleet.members?)");
    }

    @Test
    void expiresAtTakesAnyRfc3339Offset() {
        ReflectorConfig c = ConfigLoader.parse(
                        "[[access.pairing_codes]]\ncode = \"K7MX2QPA\"\nexpires_at = \"2030-01-01T01:00:00+01:00\"\n",
                        "f.toml")
                .config();
        assertThat(c.access.pairingCodes.get(0).expiresAt).isEqualTo("2030-01-01T01:00:00+01:00");
        assertThatThrownBy(() -> ConfigLoader.parse(
                        "[[access.pairing_codes]]\ncode = \"K7MX2QPA\"\nexpires_at = \"tomorrow\"\n", "f.toml"))
                .hasMessage("f.toml: invalid value for access.pairing_codes[0].expires_at: must be an RFC 3339 time "
                        + "such as 2026-02-12T15:00:00Z, got \"tomorrow\"");
    }

    @Test
    void aVariantIsACopyAndLeavesTheLoadedConfigurationAsItWas() {
        ReflectorConfig loaded = ConfigLoader.parse("[network]\nlisten_address = \"0.0.0.0:4000\"\n", "f.toml")
                .config();
        ReflectorConfig bound = loaded.withListenAddress("127.0.0.1:4100");
        ReflectorConfig local = loaded.withDataDir(Path.of("/tmp/x"));
        assertThat(bound.network.listenAddress).isEqualTo("127.0.0.1:4100");
        assertThat(local.dataDir()).isEqualTo(Path.of("/tmp/x"));
        assertThat(local.auditLogPath()).isEqualTo(Path.of("/tmp/x/audit.jsonl"));
        assertThat(loaded.network.listenAddress).isEqualTo("0.0.0.0:4000");
        assertThat(loaded.auditLogPath()).isEqualTo(Path.of("/var/lib/reflector/audit.jsonl"));
        assertThat(ConfigLoader.render(bound.withListenAddress("0.0.0.0:4000"))).isEqualTo(ConfigLoader.render(loaded));
    }

    @Test
    void preAuthenticationLimitsHaveDefaultsAndAreChecked() {
        ReflectorConfig.Network n = ConfigLoader.parse("", "f.toml").config().network;
        assertThat(n.maxConnections).isEqualTo(1024);
        assertThat(n.maxUnauthenticatedPerSource).isEqualTo(128);
        assertThat(n.maxUnauthenticatedPercent).isEqualTo(25);
        assertThat(n.firstByteTimeoutMs).isEqualTo(3000);
        assertThat(n.maxBufferedInboundBytes).isEqualTo(16L * 1024 * 1024);
        ReflectorConfig.Network set = ConfigLoader.parse("""
                [network]
                max_unauthenticated_per_source = 4
                max_unauthenticated_percent = 50
                first_byte_timeout_ms = 10000
                max_buffered_inbound_bytes = 2097152
                """, "f.toml").config().network;
        assertThat(set.maxUnauthenticatedPerSource).isEqualTo(4);
        assertThat(set.maxUnauthenticatedPercent).isEqualTo(50);
        assertThat(set.firstByteTimeoutMs).isEqualTo(10000);
        assertThat(set.maxBufferedInboundBytes).isEqualTo(2097152);
        assertThatThrownBy(() -> ConfigLoader.parse("[network]\nmax_unauthenticated_per_source = 0\n", "f.toml"))
                .hasMessageStartingWith("f.toml: invalid value for network.max_unauthenticated_per_source");
        assertThatThrownBy(() -> ConfigLoader.parse("[network]\nmax_unauthenticated_percent = 101\n", "f.toml"))
                .hasMessageStartingWith("f.toml: invalid value for network.max_unauthenticated_percent");
        assertThatThrownBy(() -> ConfigLoader.parse("[network]\nfirst_byte_timeout_ms = 10\n", "f.toml"))
                .hasMessageStartingWith("f.toml: invalid value for network.first_byte_timeout_ms");
        assertThatThrownBy(() -> ConfigLoader.parse("[network]\nmax_buffered_inbound_bytes = 65536\n", "f.toml"))
                .hasMessageStartingWith("f.toml: invalid value for network.max_buffered_inbound_bytes");
    }

    @Test
    void explicitFileThatDoesNotExistIsAnError() {
        Path missing = dir.resolve("nope.toml");
        assertThatThrownBy(() -> ConfigLoader.load(missing))
                .hasMessage(missing + ": configuration file does not exist");
    }

    @Test
    void renderedConfigReadsBackTheSame() {
        ReflectorConfig c = new ReflectorConfig();
        c.quotas.maxBytesPerDayPerPeer = 123;
        c.network.advertisedAddress = "203.0.113.7";
        c.access.authorizedPeers.add("PP-7DN2-FF6E-PTJ2-TRN3-N382-MVRD-EDJK-45BQ-3QH4-79HT-R14A-32TS-V8MG-K");
        c.access.peers.add(new ReflectorConfig.Peer(
                "PP-0EGG-FFZK-SR8B-W7BG-VMCE-EJY0-K5KY-9NHG-KEJG-TQRX-VJ36-84JN-66W0-A", "lab"));
        c.access.pairingCodes.add(new ReflectorConfig.PairingCode("K7MX2QPA", "2030-01-01T00:00:00Z", "ns/win"));
        String toml = ConfigLoader.render(c);
        ConfigLoader.Loaded back = ConfigLoader.parse(toml, "rendered");
        assertThat(back.warnings()).isEmpty();
        assertThat(ConfigLoader.render(back.config())).isEqualTo(toml);
        assertThat(back.config().access.pairingCodes.get(0).window).isEqualTo("ns/win");
        assertThat(back.config().quotas.maxBytesPerDayPerPeer).isEqualTo(123);
    }
}
