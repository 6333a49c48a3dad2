package io.packetparamedic.reflector.server;

import static io.packetparamedic.reflector.server.TestReflector.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.api.identity.EndpointId;
import io.packetparamedic.api.identity.SelfSignedCertificate;
import io.packetparamedic.reflector.client.LinkClient;
import io.packetparamedic.reflector.conformance.FieldClient;
import io.packetparamedic.reflector.tls.ClientTlsContext;
import io.packetparamedic.reflector.wire.Payload;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 2 item 3: the TLS profile and peer identity, against a real server over loopback. */
class TlsHandshakeTest {

    @TempDir
    Path dir;

    private final Ed25519Identity appliance = Ed25519Identity.generate();
    private TestReflector server;

    @BeforeEach
    void start() throws IOException {
        server = TestReflector.start(
                dir, c -> c.access.authorizedPeers.add(appliance.endpointId().toString()));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private LinkClient.Options options() {
        return LinkClient.Options.defaults().withReadTimeout(Duration.ofSeconds(15));
    }

    /** Connects with {@code tls} and says hello; any failure along the way is the exception thrown. */
    private Payload.ServerHello connectAndHello(ClientTlsContext tls) throws IOException {
        try (LinkClient c = LinkClient.connect(server.reflector.controlAddress(), tls, options())) {
            return c.hello();
        }
    }

    @Test
    void authorizedPeerCompletesMutualTls13AndIsAudited() throws Exception {
        try (LinkClient c = server.connect(appliance)) {
            assertThat(c.tlsProtocol()).isEqualTo("TLSv1.3");
            assertThat(c.applicationProtocol()).isEqualTo("pp-link/1");
            assertThat(c.serverEndpointId()).isEqualTo(server.identity.endpointId());
            assertThat(c.hello().version()).isEqualTo("1.0");
        }
        JsonNode line = server.awaitAudit(event("connection_accepted", appliance.endpointId()));
        assertThat(line.path("remote_address").asText()).startsWith("127.0.0.1:");
        assertThat(line.path("decision").asText()).isEqualTo("authorized");
        assertThat(line.path("endpoint_id").asText())
                .isEqualTo(server.identity.endpointId().toString());
    }

    @Test
    void serverPrefersChaCha20Poly1305AndGivesAClientWithoutItAnAesSuite() throws Exception {
        // Both clients list the AES suites before ChaCha20: the server's order decides. BCJSSE
        // keeps the enabled suites in its own order (AES-128 first) whatever order it is given.
        String preferred =
                TestReflector.tlsProvider().equals("bc") ? "TLS_AES_128_GCM_SHA256" : "TLS_CHACHA20_POLY1305_SHA256";
        try (LinkClient c = server.connect(appliance)) {
            assertThat(c.cipherSuite()).isEqualTo(preferred);
        }
        InetSocketAddress address = server.reflector.controlAddress();
        try (FieldClient c = FieldClient.connect(address, appliance)) {
            assertThat(c.cipherSuite()).isEqualTo(preferred);
        }
        for (String aes : List.of("TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256")) {
            try (FieldClient c = FieldClient.connect(address, appliance, List.of(aes))) {
                assertThat(c.cipherSuite()).isEqualTo(aes);
            }
        }
        assertThat(server.auditLines()).noneMatch(event("connection_denied"));
    }

    @Test
    void clientPinningTheRightServerConnectsAndAWrongPinFails() throws Exception {
        try (LinkClient c = LinkClient.connect(
                server.reflector.controlAddress(), appliance, options().pinning(server.identity.endpointId()))) {
            assertThat(c.hello().features()).contains("pairing");
        }
        EndpointId other = Ed25519Identity.generate().endpointId();
        assertThatThrownBy(() -> LinkClient.connect(
                        server.reflector.controlAddress(), appliance, options().pinning(other)))
                .isInstanceOf(IOException.class);
    }

    @Test
    void noClientCertificateFailsTheHandshake() throws Exception {
        ClientTlsContext tls =
                ClientTlsContext.create(null, null, Optional.empty(), List.of("pp-link/1"), List.of("TLSv1.3"));
        assertThatThrownBy(() -> connectAndHello(tls)).isInstanceOf(IOException.class);
        JsonNode line = server.awaitAudit(event("connection_denied"));
        assertThat(line.path("reason").asText()).startsWith("TLS handshake failed");
        assertThat(line.has("peer_id")).isFalse();
        assertThat(server.reflector.metrics().scrape())
                .containsPattern("reflector_tls_handshake_failures_total\\{reason=\"no_client_certificate\"\\} 1");
    }

    @Test
    void tls12FailsTheHandshake() throws Exception {
        ClientTlsContext tls = ClientTlsContext.create(
                appliance,
                SelfSignedCertificate.create(appliance),
                Optional.empty(),
                List.of("pp-link/1"),
                List.of("TLSv1.2"));
        assertThatThrownBy(() -> connectAndHello(tls)).isInstanceOf(IOException.class);
        assertThat(server.awaitAudit(event("connection_denied")).path("reason").asText())
                .isEqualTo("TLS handshake failed: protocol_version");
    }

    @Test
    void anotherAlpnProtocolFailsTheHandshake() throws Exception {
        ClientTlsContext tls = ClientTlsContext.create(
                appliance,
                SelfSignedCertificate.create(appliance),
                Optional.empty(),
                List.of("h2"),
                List.of("TLSv1.3"));
        assertThatThrownBy(() -> LinkClient.connect(server.reflector.controlAddress(), tls, options()))
                .isInstanceOf(IOException.class);
        assertThat(server.awaitAudit(event("connection_denied")).path("reason").asText())
                .isEqualTo("TLS handshake failed: no_application_protocol");
    }

    @Test
    void noAlpnIsServedAsPpLinkAndAuditedAndCountedAsNone() throws Exception {
        ClientTlsContext tls = ClientTlsContext.create(
                appliance, SelfSignedCertificate.create(appliance), Optional.empty(), List.of(), List.of("TLSv1.3"));
        try (LinkClient c = LinkClient.connect(server.reflector.controlAddress(), tls, options())) {
            assertThat(c.applicationProtocol()).isNullOrEmpty();
            assertThat(c.hello().version()).isEqualTo("1.0");
        }
        try (LinkClient c = server.connect(appliance)) {
            c.hello();
        }
        List<JsonNode> accepted = server.awaitAudits(event("connection_accepted", appliance.endpointId()), 2);
        assertThat(accepted).extracting(l -> l.path("alpn").asText()).containsExactly("none", "pp-link/1");
        assertThat(server.reflector.metrics().scrape())
                .containsPattern("reflector_connections_accepted_total\\{alpn=\"none\"\\} 1.0")
                .containsPattern("reflector_connections_accepted_total\\{alpn=\"pp-link/1\"\\} 1.0");
        assertThat(server.auditLines()).noneMatch(event("connection_denied"));
    }

    @Test
    void requireAlpnRefusesAClientWithoutAlpnRightAfterTheHandshake() throws Exception {
        server.close();
        server = TestReflector.start(dir, c -> {
            c.access.authorizedPeers.add(appliance.endpointId().toString());
            c.network.requireAlpn = true;
        });
        ClientTlsContext tls = ClientTlsContext.create(
                appliance, SelfSignedCertificate.create(appliance), Optional.empty(), List.of(), List.of("TLSv1.3"));
        assertThatThrownBy(() -> connectAndHello(tls)).isInstanceOf(IOException.class);
        JsonNode line = server.awaitAudit(event("connection_denied"));
        assertThat(line.path("reason").asText()).isEqualTo("no ALPN (network.require_alpn is set)");
        assertThat(server.auditLines()).noneMatch(event("connection_accepted"));
        // Strictness does not touch clients that offer the protocol.
        try (LinkClient c = server.connect(appliance)) {
            assertThat(c.hello().version()).isEqualTo("1.0");
        }
    }

    @Test
    void certificateWhoseSanNamesAnotherIdIsDeniedAsImpersonation() throws Exception {
        Ed25519Identity attacker = Ed25519Identity.generate();
        ClientTlsContext tls = ClientTlsContext.create(
                attacker,
                SelfSignedCertificate.create(attacker, appliance.endpointId()),
                Optional.empty(),
                List.of("pp-link/1"),
                List.of("TLSv1.3"));
        assertThatThrownBy(() -> connectAndHello(tls)).isInstanceOf(IOException.class);
        JsonNode line = server.awaitAudit(event("connection_denied", attacker.endpointId()));
        assertThat(line.path("reason").asText())
                .isEqualTo("impersonation attempt: SAN names " + appliance.endpointId());
        assertThat(server.auditLines()).noneMatch(event("connection_accepted"));
    }

    @Test
    void unknownPeerWithoutPairingWindowIsDenied() throws Exception {
        Ed25519Identity stranger = Ed25519Identity.generate();
        assertThatThrownBy(() -> {
                    try (LinkClient c = server.connect(stranger)) {
                        c.hello();
                    }
                })
                .isInstanceOf(IOException.class);
        assertThat(server.awaitAudit(event("connection_denied", stranger.endpointId()))
                        .path("reason")
                        .asText())
                .isEqualTo("peer is not authorized");
    }
}
