package io.packetparamedic.reflector.server;

import static io.packetparamedic.reflector.server.TestReflector.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.packetparamedic.api.config.ReflectorConfig;
import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.reflector.auth.PairingOutcome;
import io.packetparamedic.reflector.auth.PairingWindowInfo;
import io.packetparamedic.reflector.auth.PeerStore;
import io.packetparamedic.reflector.client.LinkClient;
import io.packetparamedic.reflector.rpc.Golden;
import io.packetparamedic.reflector.wire.Envelope;
import io.packetparamedic.reflector.wire.LinkCodec;
import io.packetparamedic.reflector.wire.Payload;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 2 item 5: pairing windows, single use, upgrade of the live connection, persistence. */
class PairingTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Payload.SessionParams TEN_SECONDS = new Payload.SessionParams(10, "tcp", 4, false);

    @TempDir
    Path dir;

    private TestReflector server;

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    @Test
    void rightCodeEnrolsThePeerAndUpgradesTheSameConnection() throws Exception {
        server = TestReflector.start(dir, c -> {});
        PairingWindowInfo window = server.reflector.openPairingWindow(Duration.ofMinutes(10), Optional.empty());
        assertThat(window.code()).hasSize(8);
        assertThat(server.reflector.liveStatus().pairingWindow()).isPresent();
        Ed25519Identity appliance = Ed25519Identity.generate();

        try (LinkClient c = server.connect(appliance)) {
            assertThat(c.hello().version()).isEqualTo("1.0");
            assertThat(c.request(new Payload.GetStatus()).payload())
                    .isEqualTo(new Payload.Error(403, "pairing required before sending other messages"));

            Payload.PairResponse paired = c.pair(window.code().toLowerCase());
            assertThat(paired)
                    .isEqualTo(new Payload.PairResponse(
                            true,
                            "paired successfully",
                            server.identity.endpointId().toString()));
            assertThat(JSON.readTree(LinkCodec.encode(new Envelope("req-1", paired))))
                    .isEqualTo(withEndpointId(
                            Golden.read("pair_response_ok"),
                            server.identity.endpointId().toString()));

            // Same connection, now with full access.
            assertThat(c.sessionRequest("throughput", TEN_SECONDS)).isInstanceOf(Payload.SessionGrant.class);
        }
        assertThat(server.awaitAudit(event("connection_accepted", appliance.endpointId()))
                        .path("decision")
                        .asText())
                .isEqualTo("pairing_only");
        assertThat(server.awaitAudit(event("pairing_enabled"))
                        .path("params")
                        .path("window")
                        .asText())
                .isEqualTo("local");
        server.awaitAudit(event("peer_paired", appliance.endpointId()));
        assertThat(server.pairings).containsExactly(appliance.endpointId() + " local");
        assertThat(server.reflector.liveStatus().pairingWindow()).isEmpty();
        assertThat(server.reflector.liveStatus().authorizedPeers()).isEqualTo(1);
        assertThat(server.reflector.metrics().scrape()).contains("reflector_pairing_successes_total 1.0");

        // A new connection is authorized from the start.
        try (LinkClient c = server.connect(appliance)) {
            assertThat(c.status().endpointId())
                    .isEqualTo(server.identity.endpointId().toString());
        }
    }

    private static JsonNode withEndpointId(JsonNode golden, String id) {
        com.fasterxml.jackson.databind.node.ObjectNode copy = golden.deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) copy.get("payload")).put("endpoint_id", id);
        return copy;
    }

    @Test
    void pairingOnlyPeerGets403ForSessionRequestAndWrongCodeFails() throws Exception {
        server = TestReflector.start(dir, c -> {});
        PairingWindowInfo window = server.reflector.openPairingWindow(Duration.ofMinutes(10), Optional.of("K7MX2QPA"));
        assertThat(window.code()).isEqualTo("K7MX2QPA");
        Ed25519Identity appliance = Ed25519Identity.generate();
        try (LinkClient c = server.connect(appliance)) {
            c.send(new Envelope("req-2", new Payload.SessionRequest("throughput", TEN_SECONDS)));
            assertThat(JSON.readTree(LinkCodec.encode(c.receive()))).isEqualTo(Golden.read("error_pairing_required"));
            assertThat(server.sessions.requests).isEmpty();

            Payload.PairResponse wrong = c.pair("ABCDEFGH");
            assertThat(wrong.success()).isFalse();
            assertThat(wrong.message()).isEqualTo(PairingOutcome.FAILED);
            assertThat(wrong.endpointId()).isNull();
            assertThat(c.pair("not a code").success()).isFalse();
            // Still pairing-only.
            assertThat(c.request(new Payload.GetPathMeta()).payload()).isInstanceOf(Payload.Error.class);
            // The window survived the wrong guesses.
            assertThat(c.pair("k7mx2qpa").success()).isTrue();
        }
    }

    @Test
    void expiredCodeFails() throws Exception {
        server = TestReflector.start(dir, c -> {});
        PairingWindowInfo window = server.reflector.openPairingWindow(Duration.ofMinutes(10), Optional.empty());
        Ed25519Identity appliance = Ed25519Identity.generate();
        try (LinkClient c = server.connect(appliance)) {
            // The server decides access when it has the client's Finished: wait for that before expiring the window.
            assertThat(c.hello()).isNotNull();
            server.clock.advance(Duration.ofMinutes(11));
            Payload.PairResponse late = c.pair(window.code());
            assertThat(late.success()).isFalse();
            assertThat(late.message()).isEqualTo(PairingOutcome.FAILED);
        }
        assertThat(server.reflector.authorizer().isAuthorized(appliance.endpointId()))
                .isFalse();
        // With no window open any more, an unknown peer is turned away at connect time.
        assertThatThrownBy(() -> {
                    try (LinkClient c = server.connect(Ed25519Identity.generate())) {
                        c.hello();
                    }
                })
                .isInstanceOf(IOException.class);
    }

    @Test
    void aConsumedCodeCannotBeUsedTwice() throws Exception {
        server = TestReflector.start(
                dir,
                c -> c.access.pairingCodes.add(new ReflectorConfig.PairingCode(
                        "QX7R2MPA", Instant.now().plusSeconds(600).toString(), "lab/window-1")));
        // A second window keeps unknown peers admitted for pairing after the first code is used.
        server.reflector.openPairingWindow(Duration.ofMinutes(10), Optional.empty());
        Ed25519Identity first = Ed25519Identity.generate();
        Ed25519Identity second = Ed25519Identity.generate();
        try (LinkClient a = server.connect(first);
                LinkClient b = server.connect(second)) {
            assertThat(a.pair("QX7R2MPA").success()).isTrue();
            assertThat(b.pair("QX7R2MPA").success()).isFalse();
        }
        assertThat(server.pairings).containsExactly(first.endpointId() + " lab/window-1");
        // Re-applying the same configuration does not reopen the consumed code.
        server.reflector.liveConfig().apply(server.config);
        try (LinkClient b = server.connect(second)) {
            assertThat(b.pair("QX7R2MPA").success()).isFalse();
        }
    }

    @Test
    void fivePeersRacingOneCodeExactlyOneWins() throws Exception {
        server = TestReflector.start(dir, c -> {});
        PairingWindowInfo window = server.reflector.openPairingWindow(Duration.ofMinutes(10), Optional.empty());
        int peers = 5;
        List<LinkClient> clients = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(peers);
        try {
            for (int i = 0; i < peers; i++) clients.add(server.connect(Ed25519Identity.generate()));
            CyclicBarrier start = new CyclicBarrier(peers);
            List<Future<Boolean>> results = new ArrayList<>();
            for (LinkClient c : clients) {
                results.add(pool.submit(() -> {
                    start.await(5, TimeUnit.SECONDS);
                    return c.pair(window.code()).success();
                }));
            }
            int winners = 0;
            for (Future<Boolean> r : results) if (r.get(10, TimeUnit.SECONDS)) winners++;
            assertThat(winners).isEqualTo(1);
        } finally {
            pool.shutdownNow();
            for (LinkClient c : clients) c.close();
        }
        assertThat(server.auditLines()).filteredOn(event("peer_paired")).hasSize(1);
        assertThat(server.reflector.liveStatus().authorizedPeers()).isEqualTo(1);
    }

    @Test
    void pairedPeerIsStillAuthorizedAfterARestart() throws Exception {
        server = TestReflector.start(dir, c -> {});
        PairingWindowInfo window = server.reflector.openPairingWindow(Duration.ofMinutes(10), Optional.empty());
        Ed25519Identity appliance = Ed25519Identity.generate();
        try (LinkClient c = server.connect(appliance)) {
            assertThat(c.pair(window.code()).success()).isTrue();
        }
        Path peerFile = server.config.dataDir().resolve(PeerStore.FILE_NAME);
        assertThat(peerFile).exists();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(peerFile)))
                .isEqualTo("rw-------");
        assertThat(Files.readString(peerFile)).contains(appliance.endpointId().toString());

        server.restart();

        assertThat(server.reflector.liveStatus().pairingWindow()).isEmpty();
        try (LinkClient c = server.connect(appliance)) {
            assertThat(c.sessionRequest("udp_echo", new Payload.SessionParams(5, null, null, null)))
                    .isInstanceOf(Payload.SessionGrant.class);
        }
        assertThat(server.awaitAudit(n ->
                        event("connection_accepted", appliance.endpointId()).test(n)
                                && "authorized".equals(n.path("decision").asText())))
                .isNotNull();
    }
}
