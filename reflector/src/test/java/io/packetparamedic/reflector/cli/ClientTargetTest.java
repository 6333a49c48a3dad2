package io.packetparamedic.reflector.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetparamedic.api.identity.Ed25519Identity;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code reflector client -c FILE} talks to the reflector that FILE configures. */
class ClientTargetTest {

    @TempDir
    Path dir;

    @Test
    void aWildcardBindIsReachedThroughLoopback() {
        assertThat(ClientTarget.connectable(new InetSocketAddress("0.0.0.0", 4000)))
                .isEqualTo(new InetSocketAddress("127.0.0.1", 4000));
        assertThat(ClientTarget.connectable(new InetSocketAddress("::", 4001)))
                .isEqualTo(new InetSocketAddress("::1", 4001));
        assertThat(ClientTarget.connectable(new InetSocketAddress("192.0.2.7", 4002)))
                .isEqualTo(new InetSocketAddress("192.0.2.7", 4002));
    }

    @Test
    void clientWithTheServersConfigConnectsToItsListenAddress() throws Exception {
        Path clientKey = dir.resolve("client.ed25519");
        Ed25519Identity client = Ed25519Identity.loadOrCreate(clientKey);
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort(); // a port free now, written into the file as an operator would
        }
        Path config = Cli.configIn(dir, """
                [network]
                listen_address = "0.0.0.0:%d"
                listen_address_health = "127.0.0.1:0"
                [access]
                authorized_peers = ["%s"]
                """.formatted(port, client.endpointId()));
        try (ServeProcess serve =
                ServeProcess.start(Map.of(), "-c", config.toString(), "serve").awaitBanner(Duration.ofSeconds(60))) {
            Cli.Result hello = Cli.run("-c", config.toString(), "client", "-i", clientKey.toString(), "hello");

            assertThat(hello.exitCode()).as(hello.err()).isZero();
            assertThat(hello.out()).contains("Reflector:   " + serve.endpointId());
        }
        // -c after "client", as an operator would type it, names the same file.
        Cli.Result portZero = Cli.run(
                "client",
                "-c",
                Cli.configIn(dir, "[network]\nlisten_address = \"127.0.0.1:0\"\n")
                        .toString(),
                "-i",
                clientKey.toString(),
                "hello");
        assertThat(portZero.exitCode()).isEqualTo(1);
        assertThat(portZero.err()).contains("has port 0").contains("give --server HOST:PORT");
    }
}
