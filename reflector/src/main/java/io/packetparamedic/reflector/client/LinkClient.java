package io.packetparamedic.reflector.client;

import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.api.identity.EndpointId;
import io.packetparamedic.api.identity.SelfSignedCertificate;
import io.packetparamedic.reflector.tls.ClientTlsContext;
import io.packetparamedic.reflector.tls.KeyingMaterialExporter;
import io.packetparamedic.reflector.tls.TlsProfile;
import io.packetparamedic.reflector.tls.TlsProvider;
import io.packetparamedic.reflector.wire.Envelope;
import io.packetparamedic.reflector.wire.FrameLimits;
import io.packetparamedic.reflector.wire.LinkCodec;
import io.packetparamedic.reflector.wire.Payload;
import io.packetparamedic.reflector.wire.ProtocolException;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLSocket;

/**
 * A blocking Paramedic Link client, as an appliance speaks it: mutual TLS 1.3 with the caller's
 * Ed25519 identity, SNI {@code reflector}, ALPN {@code pp-link/1}, optionally pinning the
 * reflector's Endpoint ID; then one request at a time with a read timeout. Not thread-safe; one
 * client per thread (it is meant for tools and tests, not for an event loop).
 *
 * <p>Besides the typed calls, {@link #send}, {@link #sendRawFrame}, {@link #sendRawBytes} and
 * {@link #receive} let tests say things a well-behaved appliance would not.
 */
public final class LinkClient implements AutoCloseable {

    /**
     * Connection settings; {@link #defaults()} suits a reflector on the same host. {@code tls} is
     * the JSSE provider this client speaks TLS through (the JDK's unless asked otherwise).
     */
    public record Options(
            Optional<EndpointId> pinnedServer,
            String alpn,
            Duration connectTimeout,
            Duration readTimeout,
            TlsProvider tls) {

        public Options(Optional<EndpointId> pinnedServer, String alpn, Duration connectTimeout, Duration readTimeout) {
            this(pinnedServer, alpn, connectTimeout, readTimeout, TlsProvider.JDK);
        }

        public static Options defaults() {
            return new Options(
                    Optional.empty(), TlsProfile.DEFAULT_ALPN, Duration.ofSeconds(5), Duration.ofSeconds(10));
        }

        public Options pinning(EndpointId server) {
            return new Options(Optional.of(server), alpn, connectTimeout, readTimeout, tls);
        }

        public Options withReadTimeout(Duration timeout) {
            return new Options(pinnedServer, alpn, connectTimeout, timeout, tls);
        }

        public Options withAlpn(String protocol) {
            return new Options(pinnedServer, protocol, connectTimeout, readTimeout, tls);
        }

        public Options withTlsProvider(TlsProvider provider) {
            return new Options(pinnedServer, alpn, connectTimeout, readTimeout, provider);
        }
    }

    private final SSLSocket socket;
    private final DataInputStream in;
    private final DataOutputStream out;
    private final EndpointId serverId;
    private final AtomicLong requestIds = new AtomicLong();

    private volatile boolean answered;

    private LinkClient(SSLSocket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = new DataOutputStream(socket.getOutputStream());
        X509Certificate serverCert = (X509Certificate) socket.getSession().getPeerCertificates()[0];
        this.serverId = SelfSignedCertificate.keyEndpointId(serverCert)
                .orElseThrow(() -> new IOException("server certificate key is not Ed25519"));
    }

    /** Connects and completes the TLS handshake with the standard profile. */
    public static LinkClient connect(String host, int port, Ed25519Identity identity, Options options)
            throws IOException {
        return connect(new InetSocketAddress(host, port), identity, options);
    }

    public static LinkClient connect(InetSocketAddress address, Ed25519Identity identity, Options options)
            throws IOException {
        ClientTlsContext tls = ClientTlsContext.create(identity, options.pinnedServer(), options.alpn(), options.tls());
        return connect(address, tls, options);
    }

    /** Connects with a custom TLS context (tests: another certificate, another ALPN or TLS version). */
    public static LinkClient connect(InetSocketAddress address, ClientTlsContext tls, Options options)
            throws IOException {
        return new LinkClient(tls.connect(address, options.connectTimeout(), options.readTimeout()));
    }

    /** The reflector's Endpoint ID, derived from the key of the certificate it proved during the handshake. */
    public EndpointId serverEndpointId() {
        return serverId;
    }

    /** The ALPN protocol the server selected, or null. */
    public String applicationProtocol() {
        return socket.getApplicationProtocol();
    }

    public String tlsProtocol() {
        return socket.getSession().getProtocol();
    }

    /** The TLS cipher suite the server chose. */
    public String cipherSuite() {
        return socket.getSession().getCipherSuite();
    }

    /** This connection's TLS 1.3 exporter (authenticated STAMP keys), possibly unavailable. */
    public KeyingMaterialExporter keyingMaterial() {
        return KeyingMaterialExporter.of(socket);
    }

    // ---- typed calls ---------------------------------------------------------------------------

    public Payload.ServerHello hello() throws IOException {
        return call(
                new Payload.Hello(Payload.PROTOCOL_VERSION, java.util.List.of("throughput", "udp_echo")),
                Payload.ServerHello.class);
    }

    /** A {@code pair_response}; {@code success} false is an answer, not an exception. */
    public Payload.PairResponse pair(String code) throws IOException {
        return call(new Payload.PairRequest(code), Payload.PairResponse.class);
    }

    public Payload.StatusSnapshot status() throws IOException {
        return call(new Payload.GetStatus(), Payload.StatusSnapshot.class);
    }

    public Payload.PathMeta pathMeta() throws IOException {
        return call(new Payload.GetPathMeta(), Payload.PathMeta.class);
    }

    /** The fleet's other reflectors (ours; a reflector without fleets answers error 400). */
    public Payload.FleetEndpoints fleetEndpoints() throws IOException {
        return call(new Payload.GetFleetEndpoints(), Payload.FleetEndpoints.class);
    }

    /** A {@link Payload.SessionGrant} or a {@link Payload.SessionDeny}. */
    public Payload sessionRequest(String testType, Payload.SessionParams params) throws IOException {
        Payload p = request(new Payload.SessionRequest(testType, params)).payload();
        if (p instanceof Payload.SessionGrant || p instanceof Payload.SessionDeny) return p;
        throw unexpected(p, "session_grant or session_deny");
    }

    public Payload.Ok sessionClose(String testId) throws IOException {
        return call(new Payload.SessionClose(testId), Payload.Ok.class);
    }

    // ---- raw access ----------------------------------------------------------------------------

    /** Sends {@code payload} with a fresh request ID and returns the response, checking that it echoes the ID. */
    public Envelope request(Payload payload) throws IOException {
        String id = "req-" + requestIds.incrementAndGet();
        send(new Envelope(id, payload));
        Envelope response = receive();
        if (!id.equals(response.requestId())) {
            throw new LinkException("response echoes request ID " + response.requestId() + ", expected " + id);
        }
        return response;
    }

    public void send(Envelope envelope) throws IOException {
        sendRawFrame(LinkCodec.encode(envelope));
    }

    /** One frame: the 4-byte length of {@code body}, then {@code body}. */
    public void sendRawFrame(byte[] body) throws IOException {
        out.writeInt(body.length);
        out.write(body);
        out.flush();
    }

    /** Bytes exactly as given (e.g. a length prefix with no body). */
    public void sendRawBytes(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /**
     * Reads one response frame.
     *
     * @throws EOFException when the server closed the connection
     * @throws java.net.SocketTimeoutException when nothing arrived within the read timeout
     */
    public Envelope receive() throws IOException {
        int length = in.readInt();
        if (length < 0 || length > FrameLimits.MAX_FRAME_BYTES) {
            throw new LinkException("server announced a frame of " + Integer.toUnsignedString(length) + " bytes");
        }
        byte[] body = in.readNBytes(length);
        if (body.length != length) throw new EOFException("connection closed inside a frame");
        answered = true;
        try {
            return LinkCodec.decode(body);
        } catch (ProtocolException e) {
            throw new LinkException("cannot decode the server's response: " + e.getMessage());
        }
    }

    /**
     * True once the server has sent a frame on this connection. A reflector closes a connection it
     * will not serve (an unknown peer, no pairing window) before answering anything, so a close
     * after an answer means something else.
     */
    public boolean hasAnswered() {
        return answered;
    }

    /** True when the server closed the connection (EOF or reset) within the read timeout. */
    public boolean awaitClosedByServer() {
        try {
            InputStream raw = socket.getInputStream();
            byte[] sink = new byte[4096];
            while (raw.read(sink) >= 0) {
                // discard whatever is still in flight
            }
            return true;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    private <T extends Payload> T call(Payload request, Class<T> expected) throws IOException {
        Payload p = request(request).payload();
        if (expected.isInstance(p)) return expected.cast(p);
        throw unexpected(p, expected.getSimpleName());
    }

    private static LinkException unexpected(Payload p, String expected) {
        if (p instanceof Payload.Error e) return new LinkException(e);
        return new LinkException(
                "expected " + expected + ", got " + p.getClass().getSimpleName());
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
