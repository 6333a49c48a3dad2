package io.packetparamedic.reflector.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.ssl.SslContext;
import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.api.identity.SelfSignedCertificate;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.Test;

/**
 * Issue 18: the server context issues no TLS 1.3 session ticket unless asked to (each one costs
 * a key derivation, an encryption and a record per handshake, and the deployed client never
 * resumes). Observed in memory: the NewSessionTicket, sent right after the client's Finished, is
 * the only difference in what the server sends during a full mutual handshake with and without.
 */
class SessionTicketTest {

    private final Ed25519Identity server = Ed25519Identity.generate();
    private final Ed25519Identity client = Ed25519Identity.generate();

    @Test
    void serverSendsATicketOnlyWhenEnabled() throws Exception {
        int withoutTicket = bytesSentByServer();
        System.setProperty(ServerTlsContext.SESSION_TICKETS_PROPERTY, "true");
        int withTicket;
        try {
            withTicket = bytesSentByServer();
        } finally {
            System.clearProperty(ServerTlsContext.SESSION_TICKETS_PROPERTY);
        }
        // A NewSessionTicket record: header, ticket lifetime, age add, nonce, ticket, extensions.
        assertThat(withTicket - withoutTicket).isGreaterThan(64);
        assertThat(bytesSentByServer()).isEqualTo(withoutTicket);
    }

    /** Runs a full handshake between two in-memory engines; the bytes the server sent. */
    private int bytesSentByServer() throws SSLException {
        SslContext serverContext = ServerTlsContext.create(server, TlsProfile.DEFAULT_ALPN);
        SslContext clientContext = ClientTlsContext.create(
                        client,
                        SelfSignedCertificate.create(client),
                        Optional.empty(),
                        List.of(TlsProfile.DEFAULT_ALPN),
                        List.of(TlsProfile.PROTOCOL))
                .netty();
        return new InMemoryHandshake().run(serverContext, clientContext);
    }
}
