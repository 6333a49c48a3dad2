package io.packetparamedic.reflector.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.reflector.client.LinkClient;
import io.packetparamedic.reflector.wire.Payload;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 item 8: an iperf3 child outlived a SIGKILLed reflector by 40 s (until its own idle
 * timeout). With the parent-death signal it goes with the reflector.
 */
class OrphanedIperf3Test {

    @TempDir
    Path dir;

    @Test
    void iperf3DiesWithAReflectorKilledMidSession() throws Exception {
        Ed25519Identity appliance = Ed25519Identity.generate();
        Path config = Cli.configIn(
                dir,
                "[network]\nlisten_address = \"127.0.0.1:0\"\nlisten_address_health = \"127.0.0.1:0\"\n"
                        + "[access]\nauthorized_peers = [\"" + appliance.endpointId() + "\"]\n");
        try (ServeProcess serve = ServeProcess.start(Map.of(), "-c", config.toString(), "serve")
                        .awaitBanner(Duration.ofSeconds(60));
                LinkClient c =
                        LinkClient.connect("127.0.0.1", serve.port(), appliance, LinkClient.Options.defaults())) {
            c.hello();
            Payload grant = c.sessionRequest("throughput", new Payload.SessionParams(30, "tcp", 1, false));
            assertThat(grant).isInstanceOf(Payload.SessionGrant.class);
            // The grant is sent once iperf3 listens, so it is running now.
            List<ProcessHandle> iperf3 = serve.process
                    .descendants()
                    .filter(p -> p.info()
                            .command()
                            .map(cmd -> cmd.endsWith("iperf3"))
                            .orElse(false))
                    .toList();
            assertThat(iperf3).hasSize(1);

            serve.process.destroyForcibly(); // SIGKILL: no shutdown hook, no session teardown
            long killed = System.nanoTime();
            iperf3.get(0).onExit().get(5, TimeUnit.SECONDS);
            System.out.printf(
                    "iperf3 exited %d ms after its reflector was SIGKILLed%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed));
        }
    }
}
