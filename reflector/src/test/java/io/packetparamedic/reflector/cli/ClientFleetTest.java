package io.packetparamedic.reflector.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetparamedic.api.identity.Ed25519Identity;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code reflector client fleet} against a served reflector whose configuration lists fleet members. */
class ClientFleetTest {

    @TempDir
    Path dir;

    @Test
    void printsTheOtherMembersAsATableAndAsWireJson() throws Exception {
        Path clientKey = dir.resolve("client.ed25519");
        Ed25519Identity client = Ed25519Identity.loadOrCreate(clientKey);
        String other = Ed25519Identity.generate().endpointId().toString();
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        Path config = Cli.configIn(dir, """
                [network]
                listen_address = "127.0.0.1:%d"
                listen_address_health = "127.0.0.1:0"
                [access]
                authorized_peers = ["%s"]
                [[fleet.members]]
                endpoint_id = "%s"
                address = "192.0.2.12:4000"
                ready = true
                """.formatted(port, client.endpointId(), other));
        try (ServeProcess serve =
                ServeProcess.start(Map.of(), "-c", config.toString(), "serve").awaitBanner(Duration.ofSeconds(60))) {
            String server = "127.0.0.1:" + port;
            Cli.Result table = Cli.run("client", "-s", server, "-i", clientKey.toString(), "fleet");
            assertThat(table.exitCode()).as(table.err()).isZero();
            assertThat(table.out()).contains("ADDRESS").containsPattern("192\\.0\\.2\\.12:4000 +" + other + " +yes");

            Cli.Result json = Cli.run("client", "-s", server, "-i", clientKey.toString(), "--json", "fleet");
            assertThat(json.exitCode()).as(json.err()).isZero();
            assertThat(json.out().strip())
                    .isEqualTo("{\"type\":\"fleet_endpoints\",\"endpoints\":[{\"endpoint_id\":\"" + other
                            + "\",\"address\":\"192.0.2.12:4000\",\"ready\":true}]}");
        }
    }
}
