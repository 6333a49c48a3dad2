package io.packetparamedic.reflector.server;

import static io.packetparamedic.reflector.server.TestReflector.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.packetparamedic.api.config.ReflectorConfig;
import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.reflector.client.LinkClient;
import io.packetparamedic.reflector.wire.Payload;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LiveConfig.apply on a running reflector: allowlist, quotas and limits change on the running server. */
class LiveConfigTest {

    @TempDir
    Path dir;

    private TestReflector server;

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    @Test
    void removedPeerLosesItsConnectionAndSessionsAndAddedPeerGetsIn() throws Exception {
        Ed25519Identity kept = Ed25519Identity.generate();
        Ed25519Identity removed = Ed25519Identity.generate();
        Ed25519Identity added = Ed25519Identity.generate();
        server = TestReflector.start(dir, c -> {
            c.access.authorizedPeers.add(kept.endpointId().toString());
            c.access.peers.add(new ReflectorConfig.Peer(removed.endpointId().toString(), "bench-pi"));
        });
        assertThat(server.reflector.authorizer().peerName(removed.endpointId())).hasValue("bench-pi");

        try (LinkClient keptClient = server.connect(kept);
                LinkClient removedClient = server.connect(removed)) {
            assertThat(removedClient.hello()).isNotNull();
            assertThat(keptClient.hello()).isNotNull();

            ReflectorConfig next = TestReflector.config(dir);
            next.access.authorizedPeers.add(kept.endpointId().toString());
            next.access.authorizedPeers.add(added.endpointId().toString());
            next.quotas.maxTestsPerHourPerPeer = 3;
            server.reflector.liveConfig().apply(next);

            assertThat(removedClient.awaitClosedByServer()).isTrue();
            assertThat(server.sessions.ended).containsExactly(removed.endpointId());
            assertThat(keptClient.hello().policySummary().maxTestsPerHour()).isEqualTo(3);
        }
        server.awaitAudit(event("peer_removed", removed.endpointId()));
        try (LinkClient c = server.connect(added)) {
            assertThat(c.status()).isInstanceOf(Payload.StatusSnapshot.class);
        }
        assertThat(server.reflector.liveStatus().authorizedPeers()).isEqualTo(2);
        assertThat(server.reflector.config().quotas.maxTestsPerHourPerPeer).isEqualTo(3);
    }

    @Test
    void aLoweredConnectionLimitAppliesToTheNextConnection() throws Exception {
        Ed25519Identity appliance = Ed25519Identity.generate();
        server = TestReflector.start(dir, c -> {
            c.access.authorizedPeers.add(appliance.endpointId().toString());
            c.network.maxConnections = 4;
        });
        try (LinkClient first = server.connect(appliance)) {
            assertThat(first.hello()).isNotNull();
            ReflectorConfig next = TestReflector.config(dir);
            next.access.authorizedPeers.add(appliance.endpointId().toString());
            next.network.maxConnections = 1;
            server.reflector.liveConfig().apply(next);

            try (Socket second = new Socket()) {
                second.connect(server.reflector.controlAddress(), 2000);
                second.setSoTimeout(10_000);
                // Refused before TLS: the server closes without a byte of its own.
                assertThat(second.getInputStream().read()).isEqualTo(-1);
            }
            assertThat(server.awaitAudit(event("connection_denied"))
                            .path("reason")
                            .asText())
                    .isEqualTo("connection limit reached");
            assertThat(first.hello()).isNotNull();
        }
    }

    @Test
    void liveStatusCountsConnectionsAndPeers() throws Exception {
        Ed25519Identity a = Ed25519Identity.generate();
        server = TestReflector.start(
                dir,
                c -> c.access.authorizedPeers.addAll(List.of(
                        a.endpointId().toString(),
                        Ed25519Identity.generate().endpointId().toString())));
        try (LinkClient c = server.connect(a)) {
            c.hello();
            var status = server.reflector.liveStatus();
            assertThat(status.connections()).isEqualTo(1);
            assertThat(status.authorizedPeers()).isEqualTo(2);
            assertThat(status.endpointId()).isEqualTo(server.identity.endpointId());
            assertThat(status.pairingWindow()).isEmpty();
            assertThat(status.testsToday()).isEqualTo(3);
        }
    }
}
