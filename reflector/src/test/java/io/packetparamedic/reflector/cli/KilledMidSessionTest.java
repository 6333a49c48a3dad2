package io.packetparamedic.reflector.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.reflector.client.LinkClient;
import io.packetparamedic.reflector.wire.Payload;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20 item 2: SIGKILL while an iperf3 test moves data and a UDP echo session echoes. No
 * iperf3 is left behind, the control and data ports are free again, and a reflector started on
 * the same data directory serves at once, with the governance figures and the paired peer kept
 * and the audit log continued as valid JSON Lines.
 */
class KilledMidSessionTest {

    @TempDir
    Path dir;

    @Test
    void aReflectorKilledMidSessionLeavesNothingBehindAndRestartsClean() throws Exception {
        Ed25519Identity appliance = Ed25519Identity.generate();
        int controlPort = freePort();
        Path config = Cli.configIn(
                dir,
                "[network]\nlisten_address = \"127.0.0.1:" + controlPort + "\"\n"
                        + "listen_address_health = \"127.0.0.1:0\"\n"
                        + "[quotas]\ncooldown_sec = 0\nmax_concurrent_tests = 2\n");
        Path paired = dir.resolve("state/paired_peers.json");
        Files.createDirectories(paired.getParent());
        Files.writeString(
                paired,
                "{\"paired_peers\":[{\"endpoint_id\":\"" + appliance.endpointId()
                        + "\",\"paired_at\":\"2026-11-30T00:00:00Z\",\"window\":\"test\"}]}");

        int throughputPort;
        int echoPort;
        Process iperf3Client;
        try (ServeProcess serve = ServeProcess.start(Map.of(), "-c", config.toString(), "serve")
                        .awaitBanner(Duration.ofSeconds(60));
                LinkClient c = LinkClient.connect("127.0.0.1", controlPort, appliance, LinkClient.Options.defaults())) {
            c.hello();
            Payload.SessionGrant throughput = (Payload.SessionGrant)
                    c.sessionRequest("throughput", new Payload.SessionParams(30, "tcp", 1, false));
            Payload.SessionGrant echo = (Payload.SessionGrant)
                    c.sessionRequest("udp_echo", new Payload.SessionParams(30, null, null, null));
            throughputPort = throughput.port();
            echoPort = echo.port();
            List<ProcessHandle> iperf3 = serve.process
                    .descendants()
                    .filter(p -> p.info()
                            .command()
                            .map(cmd -> cmd.endsWith("iperf3"))
                            .orElse(false))
                    .toList();
            assertThat(iperf3).hasSize(1);

            iperf3Client = new ProcessBuilder(
                            "iperf3",
                            "-c",
                            "127.0.0.1",
                            "-p",
                            Integer.toString(throughputPort),
                            "-t",
                            "30",
                            "--forceflush")
                    .redirectErrorStream(true)
                    .start();
            BufferedReader progress =
                    new BufferedReader(new InputStreamReader(iperf3Client.getInputStream(), StandardCharsets.UTF_8));
            // An interval line ("[  5]   0.00-1.00 sec ...") means data is moving through the relay.
            for (String line = progress.readLine();
                    line != null && !line.contains(" sec ");
                    line = progress.readLine()) {
                assertThat(line).doesNotContain("error");
            }
            assertThat(echoOnce(echoPort)).as("the echo session answers").isTrue();

            serve.process.destroyForcibly(); // SIGKILL mid-test
            assertThat(serve.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
            iperf3.get(0).onExit().get(5, TimeUnit.SECONDS);
        }
        assertThat(iperf3Client.waitFor(20, TimeUnit.SECONDS))
                .as("the client's iperf3 sees its server go")
                .isTrue();

        // Ports free again: the data ports bind, and the control port is taken by the restart below.
        try (ServerSocket tcp = new ServerSocket()) {
            tcp.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), throughputPort));
        }
        try (DatagramSocket udp =
                new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), echoPort))) {
            assertThat(udp.isBound()).isTrue();
        }
        int auditLinesBefore =
                Files.readAllLines(dir.resolve("state/audit.jsonl")).size();

        try (ServeProcess again = ServeProcess.start(Map.of(), "-c", config.toString(), "serve")
                        .awaitBanner(Duration.ofSeconds(60));
                LinkClient c = LinkClient.connect("127.0.0.1", controlPort, appliance, LinkClient.Options.defaults())) {
            c.hello(); // still paired: the peer file survived
            Payload.StatusSnapshot status = c.status();
            assertThat(status.testsToday()).as("both killed tests still count").isEqualTo(2);
            assertThat(c.sessionRequest("udp_echo", new Payload.SessionParams(5, null, null, null)))
                    .isInstanceOf(Payload.SessionGrant.class);
            assertThat(again.stop()).isZero();
        }
        List<JsonNode> audit =
                AuditLines.read(dir.resolve("state/audit.jsonl")); // every line whole JSON, across the kill
        assertThat(audit.size()).isGreaterThan(auditLinesBefore);
        assertThat(audit)
                .allSatisfy(line -> assertThat(line.path("event_type").asText()).isNotBlank());
    }

    private static boolean echoOnce(int port) throws Exception {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            socket.setSoTimeout(2000);
            byte[] probe = "probe-0123456789".getBytes(StandardCharsets.UTF_8);
            socket.send(new DatagramPacket(probe, probe.length, InetAddress.getLoopbackAddress(), port));
            DatagramPacket reply = new DatagramPacket(new byte[64], 64);
            socket.receive(reply);
            return reply.getLength() == probe.length;
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
