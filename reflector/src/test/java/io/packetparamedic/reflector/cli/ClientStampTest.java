package io.packetparamedic.reflector.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.packetparamedic.api.config.ReflectorConfig;
import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.reflector.runtime.ReflectorRuntime;
import io.packetparamedic.reflector.server.TestReflector;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code reflector client stamp} end to end: the CLI in-process against a real reflector (TLS 1.3
 * control connection, real session manager, the STAMP engine on a loopback UDP port): the session
 * is granted, every test packet answered with the reflector's timestamps and clock description,
 * the session closed, and the grant, bytes and residence times show in the metrics.
 */
class ClientStampTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private ReflectorRuntime reflector;
    private Path clientKey;

    private void start(boolean allowUdpEcho) throws Exception {
        start(allowUdpEcho, "jdk");
    }

    private void start(boolean allowUdpEcho, String tlsProvider) throws Exception {
        ReflectorConfig config = TestReflector.config(dir);
        config.network.tlsProvider = tlsProvider;
        int base = Math.min(ServedReflector.freePort(), 65_000);
        config.network.dataPortRangeStart = base;
        config.network.dataPortRangeEnd = base + 9;
        config.quotas.allowUdpEcho = allowUdpEcho;
        clientKey = dir.resolve("appliance.ed25519");
        config.access.authorizedPeers.add(
                Ed25519Identity.loadOrCreate(clientKey).endpointId().toString());
        reflector = ReflectorRuntime.builder(config, Ed25519Identity.generate())
                .pathMeta(peer -> TestReflector.PATH_META)
                .start();
    }

    @AfterEach
    void stop() {
        if (reflector != null) reflector.close();
    }

    private Cli.Result client(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String server = "127.0.0.1:" + reflector.controlAddress().getPort();
        int code =
                ServedReflector.client(clientKey, server, new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Cli.Result(code, out.toString(), err.toString());
    }

    @Test
    void everyTestPacketIsAnsweredAndTheSessionClosed() throws Exception {
        start(true);
        Cli.Result r = client("--json", "stamp", "-n", "50", "--interval-ms", "2", "--padding", "100");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.err()).contains("stamp: session ", "50 test packets of 156 octets every 2 ms");
        JsonNode outcome = JSON.readTree(r.out());
        JsonNode result = outcome.path("result");
        assertThat(result.path("sent").asInt()).isEqualTo(50);
        assertThat(result.path("received").asInt()).as(r.out()).isEqualTo(50);
        assertThat(result.path("invalid").asInt()).isZero();
        assertThat(result.path("reflector_packets_counted").asLong()).isEqualTo(50);
        assertThat(result.path("rtt_p50_ms").asDouble()).isPositive();
        assertThat(result.path("rtt_max_ms").asDouble())
                .isGreaterThanOrEqualTo(result.path("rtt_p50_ms").asDouble());
        // Timestamp Information: local free-running clock, software timestamps; nothing flagged.
        assertThat(result.path("reflector_sync").asInt()).isEqualTo(5);
        assertThat(result.path("reflector_timestamps").asInt()).isEqualTo(2);
        assertThat(result.path("tlvs_unrecognized").asInt()).isZero();
        assertThat(result.path("tlvs_malformed").asInt()).isZero();

        String testId = outcome.path("test_id").asText();
        reflector.sessionLayer().orElseThrow().manager().ended(testId).get(10, TimeUnit.SECONDS);
        assertThat(reflector.sessionLayer().orElseThrow().manager().activeTest())
                .as("closed by the client, not left to expire")
                .isEmpty();
        String metrics = scrapeMetrics();
        assertThat(metrics).contains("reflector_sessions_granted_total{test_type=\"stamp\"} 1.0");
        assertThat(metrics).contains("reflector_session_bytes_total{test_type=\"stamp\"} " + (50.0 * 156));
        assertThat(metrics).contains("reflector_stamp_residence_seconds_count 50");
    }

    /**
     * Authenticated STAMP over real TLS 1.3 with BouncyCastle's JSSE on both ends (the JDK 17 the
     * reflector runs on has no exporter): the key is derived on each side from its own view of the
     * control connection, every test packet carries both HMACs and every answer verifies.
     */
    @Test
    void authenticatedStampOverBcjsseAnswersEveryPacket() throws Exception {
        start(true, "bc");
        Cli.Result r = client(
                "--json",
                "--tls-provider",
                "bc",
                "stamp",
                "--auth",
                "-n",
                "50",
                "--interval-ms",
                "2",
                "--padding",
                "16");
        assertThat(r.exitCode()).as(r.err()).isZero();
        int length = 112 + 8 + 4 + 16 + 20;
        assertThat(r.err()).contains("50 test packets of " + length + " octets every 2 ms, authenticated");
        JsonNode result = JSON.readTree(r.out()).path("result");
        System.out.printf(
                "authenticated STAMP over BCJSSE: %d/%d answered, rtt p50 %.3f ms, p99 %.3f ms, max %.3f ms%n",
                result.path("received").asInt(),
                result.path("sent").asInt(),
                result.path("rtt_p50_ms").asDouble(),
                result.path("rtt_p99_ms").asDouble(),
                result.path("rtt_max_ms").asDouble());
        assertThat(result.path("authenticated").asBoolean()).isTrue();
        assertThat(result.path("sent").asInt()).isEqualTo(50);
        assertThat(result.path("received").asInt()).as(r.out()).isEqualTo(50);
        assertThat(result.path("hmac_failures").asInt()).isZero();
        assertThat(result.path("tlvs_integrity_flagged").asInt()).isZero();
        assertThat(result.path("invalid").asInt()).isZero();
        assertThat(result.path("rtt_p50_ms").asDouble()).isPositive();
        // The HMAC TLV was understood, the Timestamp Information TLV filled in.
        assertThat(result.path("tlvs_unrecognized").asInt()).isZero();
        assertThat(result.path("reflector_sync").asInt()).isEqualTo(5);
        assertThat(scrapeMetrics()).contains("reflector_stamp_auth_failures_total 0.0");
    }

    /** The JDK 17 provider has no TLS exporter: a request for authenticated STAMP is refused, saying which setting to change. */
    @Test
    void authenticatedStampIsRefusedOnAReflectorWithoutAnExporter() throws Exception {
        assertThat(Runtime.version().feature())
                .as("the JDK provider has an exporter from Java 25 on")
                .isLessThan(25);
        start(true, "jdk");
        Cli.Result r = client("--tls-provider", "bc", "stamp", "--auth", "-n", "5");
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.err())
                .contains("invalid_params")
                .contains("authenticated STAMP needs a key from the control connection's TLS 1.3 exporter")
                .contains("set network.tls_provider = \"bc\"");
        assertThat(scrapeMetrics()).contains("reflector_sessions_granted_total{test_type=\"stamp\"} 0.0");
        // Unauthenticated STAMP on the same reflector is still served.
        assertThat(client("stamp", "-n", "3", "--interval-ms", "2").exitCode()).isZero();
    }

    @Test
    void aClientWithoutAnExporterSaysSoBeforeAsking() throws Exception {
        start(true, "bc");
        Cli.Result r = client("stamp", "--auth", "-n", "5");
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.err()).contains("use --tls-provider bc");
        assertThat(scrapeMetrics()).contains("reflector_sessions_granted_total{test_type=\"stamp\"} 0.0");
    }

    @Test
    void stampIsSwitchedOffWithUdpEcho() throws Exception {
        start(false);
        Cli.Result r = client("stamp", "-n", "5");
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.err()).contains("stamp tests are switched off on this reflector (quotas.allow_udp_echo = false)");
    }

    @Test
    void badSettingsAreRefusedBeforeAnyConnection() throws Exception {
        start(true);
        assertThat(client("stamp", "--padding", "5000").err()).contains("--padding must be 0-1400 octets");
        assertThat(client("stamp", "-n", "0").err()).contains("--count must be 1-100000, got 0");
        assertThat(scrapeMetrics()).contains("reflector_sessions_granted_total{test_type=\"stamp\"} 0.0");
    }

    /** What {@code GET /metrics} serves. */
    private String scrapeMetrics() {
        return reflector.metrics().scrape();
    }
}
