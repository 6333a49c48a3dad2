package io.packetparamedic.reflector.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetparamedic.api.config.ReflectorConfig;
import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.reflector.client.LinkClient;
import io.packetparamedic.reflector.wire.Envelope;
import io.packetparamedic.reflector.wire.Payload;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code get_fleet_endpoints} over real mTLS: who may ask, what the answer holds, and that it follows the live config. */
class FleetEndpointsTest {

    @TempDir
    Path dir;

    private TestReflector server;
    private final Ed25519Identity appliance = Ed25519Identity.generate();
    private final String nodeB = Ed25519Identity.generate().endpointId().toString();
    private final String nodeC = Ed25519Identity.generate().endpointId().toString();

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    /** The config a fleet node's reflector gets: the appliance authorized, and the fleet's members (itself among them). */
    private ReflectorConfig fleetConfig(ReflectorConfig.FleetMember... members) {
        ReflectorConfig c = TestReflector.config(dir);
        c.access.authorizedPeers.add(appliance.endpointId().toString());
        c.fleet = new ReflectorConfig.Fleet();
        c.fleet.members = List.of(members);
        return c;
    }

    @Test
    void anAuthorizedPeerGetsTheOtherMembersAndTheAnswerFollowsTheLiveConfig() throws Exception {
        server = TestReflector.start(
                dir, c -> c.access.authorizedPeers.add(appliance.endpointId().toString()));
        String self = server.identity.endpointId().toString();
        try (LinkClient c = server.connect(appliance)) {
            assertThat(c.fleetEndpoints().endpoints())
                    .as("standalone: no fleet, nowhere else to go")
                    .isEmpty();

            server.reflector
                    .liveConfig()
                    .apply(fleetConfig(
                            new ReflectorConfig.FleetMember(self, "192.0.2.11:4000", true),
                            new ReflectorConfig.FleetMember(nodeB.toLowerCase(), "192.0.2.12:4000", true),
                            new ReflectorConfig.FleetMember(nodeC, "[2001:db8::13]:4000", false)));
            // Same connection: the answer is read from the configuration in force at each request.
            assertThat(c.fleetEndpoints().endpoints())
                    .as("itself left out, IDs canonical, readiness as rendered")
                    .containsExactly(
                            new Payload.FleetEndpoint(nodeB, "192.0.2.12:4000", true),
                            new Payload.FleetEndpoint(nodeC, "[2001:db8::13]:4000", false));

            server.reflector
                    .liveConfig()
                    .apply(fleetConfig(
                            new ReflectorConfig.FleetMember(self, "192.0.2.11:4000", true),
                            new ReflectorConfig.FleetMember(nodeC, "[2001:db8::13]:4000", true)));
            assertThat(c.fleetEndpoints().endpoints())
                    .containsExactly(new Payload.FleetEndpoint(nodeC, "[2001:db8::13]:4000", true));
            // The rest of the protocol is as it was.
            assertThat(c.status().endpointId()).isEqualTo(self);
        }
    }

    @Test
    void aPairingOnlyPeerIsRefusedWith403AndAnUnknownPeerIsNotServedAtAll() throws Exception {
        server = TestReflector.start(dir, c -> {});
        server.reflector
                .liveConfig()
                .apply(fleetConfig(new ReflectorConfig.FleetMember(nodeB, "192.0.2.12:4000", true)));
        Ed25519Identity stranger = Ed25519Identity.generate();

        // No pairing window: an unknown peer's connection is closed, before any request is answered.
        try (LinkClient c = server.connect(stranger)) {
            assertThat(c.awaitClosedByServer()).isTrue();
        }

        server.reflector.openPairingWindow(Duration.ofMinutes(10), Optional.of("K7MX2QPA"));
        try (LinkClient c = server.connect(stranger)) {
            Envelope refused = c.request(new Payload.GetFleetEndpoints());
            assertThat(refused.payload())
                    .isEqualTo(new Payload.Error(403, "pairing required before sending other messages"));
            // Paired, the same connection may ask.
            assertThat(c.pair("K7MX2QPA").success()).isTrue();
            assertThat(c.fleetEndpoints().endpoints())
                    .containsExactly(new Payload.FleetEndpoint(nodeB, "192.0.2.12:4000", true));
        }
    }
}
