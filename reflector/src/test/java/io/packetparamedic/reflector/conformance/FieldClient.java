package io.packetparamedic.reflector.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.api.identity.SelfSignedCertificate;
import io.packetparamedic.reflector.tls.Curve25519Provider;
import io.packetparamedic.reflector.tls.IdentityKeyManager;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * The appliance client deployed in the field, reproduced on the wire as FIELD-CLIENT.md
 * describes it (a compatibility contract): TLS offering 1.3 and 1.2 with no ALPN extension,
 * SNI {@code reflector}, any server certificate accepted; {@code hello} as {@code init-0}
 * with its two features; then {@code req-1}, {@code req-2}, … ; replies whose
 * {@code request_id} does not match are skipped; a deny or an error ends the operation with
 * its {@code message}. It never sends {@code get_status}, {@code session_close} or a UDP echo
 * request. Independent of the project's codec on purpose: frames are built here and every
 * reply is decoded by {@link FieldReplies}, as strictly as the field client's own types do.
 */
public final class FieldClient implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String SNI = "reflector";

    /**
     * The cipher suites rustls offers by default, in its order ({@code ALL_CIPHER_SUITES}: TLS 1.3
     * first, AES before ChaCha20; then the TLS 1.2 ECDHE suites, which the JDK also has).
     */
    public static final List<String> RUSTLS_DEFAULT_SUITES = List.of(
            "TLS_AES_256_GCM_SHA384",
            "TLS_AES_128_GCM_SHA256",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    private final SSLSocket socket;
    private final DataInputStream in;
    private final DataOutputStream out;
    private final List<JsonNode> sent = new ArrayList<>();
    private final List<JsonNode> received = new ArrayList<>();
    private long nextRequest = 1;

    private FieldClient(SSLSocket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = new DataOutputStream(socket.getOutputStream());
    }

    /** TCP, TLS and the hello exchange; fails as the field client does when anything but a server_hello answers. */
    public static FieldClient connect(InetSocketAddress address, Ed25519Identity identity) throws IOException {
        return connect(address, identity, RUSTLS_DEFAULT_SUITES);
    }

    /** {@link #connect(InetSocketAddress, Ed25519Identity)} offering only {@code cipherSuites}. */
    public static FieldClient connect(InetSocketAddress address, Ed25519Identity identity, List<String> cipherSuites)
            throws IOException {
        Socket plain = new Socket();
        try {
            plain.connect(address, 10_000);
            plain.setSoTimeout(60_000);
            SSLSocket tls = (SSLSocket)
                    tlsContext(identity).getSocketFactory().createSocket(plain, SNI, address.getPort(), true);
            SSLParameters params = tls.getSSLParameters();
            params.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
            params.setServerNames(List.of(new SNIHostName(SNI)));
            params.setCipherSuites(cipherSuites.toArray(String[]::new));
            // No setApplicationProtocols: the ClientHello carries no ALPN extension at all.
            tls.setSSLParameters(params);
            tls.startHandshake();
            FieldClient client = new FieldClient(tls);
            client.send(hello());
            JsonNode reply = client.receive();
            if (reply == null) throw new FieldClientException("connection closed before ServerHello");
            if (!"server_hello".equals(FieldReplies.type(reply))) {
                throw new FieldClientException("expected ServerHello, got " + FieldReplies.type(reply));
            }
            return client;
        } catch (IOException | RuntimeException e) {
            plain.close();
            throw e;
        }
    }

    private static SSLContext tlsContext(Ed25519Identity identity) {
        Curve25519Provider.install();
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(
                    new KeyManager[] {
                        new IdentityKeyManager(identity.privateKey(), SelfSignedCertificate.create(identity))
                    },
                    new TrustManager[] {new AcceptAnyServer()},
                    null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The TLS protocol negotiated and the ALPN protocol (empty: none). */
    public String tlsProtocol() {
        return socket.getSession().getProtocol();
    }

    public String applicationProtocol() {
        return socket.getApplicationProtocol();
    }

    /** The cipher suite the server chose. */
    public String cipherSuite() {
        return socket.getSession().getCipherSuite();
    }

    /** {@code pair_request}: the reply's pair_response, or an error reply as an exception. */
    public JsonNode pair(String code) throws IOException {
        String id = nextId();
        send(pairRequest(id, code));
        JsonNode payload = expect(id).path("payload");
        if (!"pair_response".equals(payload.path("type").asText())) throw failure(payload, "PairResponse");
        return payload;
    }

    /** A throughput {@code session_request}; a deny or an error reply ends it with that reply's message. */
    public JsonNode requestThroughput(long durationSec, int streams, boolean reverse) throws IOException {
        String id = nextId();
        send(throughputRequest(id, durationSec, streams, reverse));
        JsonNode payload = expect(id).path("payload");
        if (!"session_grant".equals(payload.path("type").asText())) throw failure(payload, "SessionGrant");
        return payload;
    }

    /** Every frame sent and received on this connection, in order. */
    public List<JsonNode> sentFrames() {
        return List.copyOf(sent);
    }

    public List<JsonNode> receivedFrames() {
        return List.copyOf(received);
    }

    /** The field client never closes a session; it drops the connection. */
    @Override
    public void close() throws IOException {
        socket.close();
    }

    // ---- frames, exactly as the field client builds them --------------------------------------

    static ObjectNode hello() {
        ObjectNode payload = JSON.createObjectNode().put("type", "hello").put("version", "1.0");
        payload.putArray("features").add("throughput").add("udp_echo");
        return envelope("init-0", payload);
    }

    static ObjectNode pairRequest(String id, String code) {
        return envelope(id, JSON.createObjectNode().put("type", "pair_request").put("token", code));
    }

    static ObjectNode throughputRequest(String id, long durationSec, int streams, boolean reverse) {
        ObjectNode payload =
                JSON.createObjectNode().put("type", "session_request").put("test_type", "throughput");
        payload.putObject("params")
                .put("duration_sec", durationSec)
                .put("protocol", "tcp")
                .put("streams", streams)
                .put("reverse", reverse);
        return envelope(id, payload);
    }

    private static ObjectNode envelope(String id, ObjectNode payload) {
        ObjectNode e = JSON.createObjectNode().put("request_id", id);
        e.set("payload", payload);
        return e;
    }

    // ---- framing -------------------------------------------------------------------------------

    private String nextId() {
        return "req-" + nextRequest++;
    }

    private void send(JsonNode frame) throws IOException {
        byte[] body = JSON.writeValueAsBytes(frame);
        out.writeInt(body.length);
        out.write(body);
        out.flush();
        sent.add(JSON.readTree(body)); // as it went on the wire
    }

    /** The next frame, decoded strictly; null on a clean close between frames. */
    private JsonNode receive() throws IOException {
        int length;
        try {
            length = in.readInt();
        } catch (EOFException e) {
            return null;
        }
        if (length < 0 || length > 1_048_576) throw new FieldClientException("frame of " + length + " bytes");
        byte[] body = in.readNBytes(length);
        if (body.length != length) throw new FieldClientException("connection closed inside a frame");
        JsonNode frame = FieldReplies.decode(new String(body, StandardCharsets.UTF_8));
        received.add(frame);
        return frame;
    }

    /** Skips replies for other request IDs, as the field client does. */
    private JsonNode expect(String id) throws IOException {
        while (true) {
            JsonNode frame = receive();
            if (frame == null) throw new FieldClientException("connection closed");
            if (id.equals(frame.path("request_id").asText())) return frame;
        }
    }

    private static FieldClientException failure(JsonNode payload, String expected) {
        return switch (payload.path("type").asText()) {
            case "session_deny" ->
                new FieldClientException(
                        "session denied: " + payload.path("reason").asText() + " ("
                                + payload.path("message").asText() + ")");
            case "error" ->
                new FieldClientException(
                        "reflector error " + payload.path("code").asInt() + ": "
                                + payload.path("message").asText());
            default ->
                new FieldClientException(
                        "expected " + expected + ", got " + payload.path("type").asText());
        };
    }

    /** The field client verifies nothing about the server during first pairing. */
    private static final class AcceptAnyServer implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
