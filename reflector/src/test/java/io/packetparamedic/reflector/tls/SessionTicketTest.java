package io.packetparamedic.reflector.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufAllocator;
import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.api.identity.SelfSignedCertificate;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
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
        SSLEngine s = ServerTlsContext.create(server, TlsProfile.DEFAULT_ALPN).newEngine(ByteBufAllocator.DEFAULT);
        SSLEngine c = ClientTlsContext.create(client, SelfSignedCertificate.create(client), Optional.empty(),
                List.of(TlsProfile.DEFAULT_ALPN), List.of(TlsProfile.PROTOCOL)).netty().newEngine(ByteBufAllocator.DEFAULT);
        ByteBuffer toServer = ByteBuffer.allocate(1 << 16);
        ByteBuffer toClient = ByteBuffer.allocate(1 << 16);
        ByteBuffer sink = ByteBuffer.allocate(1 << 16);
        int serverSent = 0;
        c.beginHandshake();
        s.beginHandshake();
        for (int i = 0; i < 50 && !(done(c) && done(s)); i++) {
            step(c, toServer, toClient, sink);
            serverSent += step(s, toClient, toServer, sink);
        }
        assertThat(done(c) && done(s)).as("handshake finished").isTrue();
        return serverSent;
    }

    private static boolean done(SSLEngine e) {
        HandshakeStatus h = e.getHandshakeStatus();
        return h == HandshakeStatus.NOT_HANDSHAKING || h == HandshakeStatus.FINISHED;
    }

    /** One round for {@code e}: consume what the peer sent, run delegated tasks, send what is due; bytes sent. */
    private static int step(SSLEngine e, ByteBuffer out, ByteBuffer in, ByteBuffer sink) throws SSLException {
        in.flip();
        while (in.hasRemaining() && e.getHandshakeStatus() == HandshakeStatus.NEED_UNWRAP) {
            if (e.unwrap(in, sink).bytesConsumed() == 0) break;
            runTasks(e);
        }
        in.compact();
        runTasks(e);
        int sent = 0;
        while (e.getHandshakeStatus() == HandshakeStatus.NEED_WRAP) {
            sent += e.wrap(ByteBuffer.allocate(0), out).bytesProduced();
            runTasks(e);
        }
        return sent;
    }

    private static void runTasks(SSLEngine e) {
        Runnable task;
        while ((task = e.getDelegatedTask()) != null) task.run();
    }
}
