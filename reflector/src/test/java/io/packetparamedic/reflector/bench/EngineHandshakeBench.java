package io.packetparamedic.reflector.bench;

import io.netty.handler.ssl.SslContext;
import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.api.identity.SelfSignedCertificate;
import io.packetparamedic.reflector.tls.ClientTlsContext;
import io.packetparamedic.reflector.tls.InMemoryHandshake;
import io.packetparamedic.reflector.tls.ServerTlsContext;
import io.packetparamedic.reflector.tls.TlsProfile;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The server's TLS cost alone: full TLS 1.3 mutual handshakes (Ed25519 both ways) between the
 * reflector's server context and a fresh client context each, in memory on one thread, timing
 * only the server engine's thread CPU. No sockets, kernel, event loop or other threads, so it
 * holds on a busy machine. Prints the median over ROUNDS rounds of HANDSHAKES each, after
 * WARMUP handshakes. With {@code resume}, one client context throughout, so that the client
 * offers its last session ticket (TLS 1.3 PSK): resumed handshakes, when the server issues
 * tickets ({@code -Dreflector.tls.session-tickets=true}). Not a test (no "Test" in its name).
 *
 * <pre>java [server JVM flags] -cp reflector.jar:test-classes io.packetparamedic.reflector.bench.EngineHandshakeBench
 *     WARMUP HANDSHAKES ROUNDS [resume]</pre>
 */
public final class EngineHandshakeBench {

    public static void main(String[] args) throws Exception {
        int warmup = Integer.parseInt(args[0]);
        int handshakes = Integer.parseInt(args[1]);
        int rounds = Integer.parseInt(args[2]);
        boolean resume = args.length > 3 && args[3].equals("resume");
        Ed25519Identity server = Ed25519Identity.generate();
        Ed25519Identity client = Ed25519Identity.generate();
        X509Certificate clientCertificate = SelfSignedCertificate.create(client);
        SslContext serverContext = ServerTlsContext.create(server, TlsProfile.DEFAULT_ALPN);

        SslContext shared = resume ? clientContext(client, clientCertificate) : null;
        run(serverContext, shared, client, clientCertificate, warmup);
        double[] perHandshakeMs = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            perHandshakeMs[r] = run(serverContext, shared, client, clientCertificate, handshakes) / 1e6 / handshakes;
            System.out.printf(
                    Locale.ROOT, "round %d: server TLS CPU per full handshake %.3f ms%n", r + 1, perHandshakeMs[r]);
        }
        Arrays.sort(perHandshakeMs);
        System.out.printf(
                Locale.ROOT,
                "engine_handshake%s server_tls_cpu_ms_median=%.3f rounds=%d handshakes=%d%n",
                resume ? "_resume" : "",
                perHandshakeMs[rounds / 2],
                rounds,
                handshakes);
    }

    /** Server engine CPU in ns over {@code n} handshakes; {@code shared} null: a new client context each. */
    private static long run(
            SslContext serverContext, SslContext shared, Ed25519Identity client, X509Certificate certificate, int n)
            throws Exception {
        InMemoryHandshake handshake = new InMemoryHandshake();
        for (int i = 0; i < n; i++) {
            // A new client context: nothing to resume, every handshake is a full one.
            handshake.run(serverContext, shared != null ? shared : clientContext(client, certificate));
        }
        return handshake.serverCpuNanos();
    }

    private static SslContext clientContext(Ed25519Identity client, X509Certificate certificate) {
        return ClientTlsContext.create(
                        client,
                        certificate,
                        Optional.empty(),
                        List.of(TlsProfile.DEFAULT_ALPN),
                        List.of(TlsProfile.PROTOCOL))
                .netty();
    }
}
