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
 * WARMUP handshakes. Not a test (no "Test" in its name).
 *
 * <pre>java [server JVM flags] -cp reflector.jar:test-classes io.packetparamedic.reflector.bench.EngineHandshakeBench
 *     WARMUP HANDSHAKES ROUNDS</pre>
 */
public final class EngineHandshakeBench {

    public static void main(String[] args) throws Exception {
        int warmup = Integer.parseInt(args[0]);
        int handshakes = Integer.parseInt(args[1]);
        int rounds = Integer.parseInt(args[2]);
        Ed25519Identity server = Ed25519Identity.generate();
        Ed25519Identity client = Ed25519Identity.generate();
        X509Certificate clientCertificate = SelfSignedCertificate.create(client);
        SslContext serverContext = ServerTlsContext.create(server, TlsProfile.DEFAULT_ALPN);

        run(serverContext, client, clientCertificate, warmup);
        double[] perHandshakeMs = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            perHandshakeMs[r] = run(serverContext, client, clientCertificate, handshakes) / 1e6 / handshakes;
            System.out.printf(Locale.ROOT, "round %d: server TLS CPU per full handshake %.3f ms%n", r + 1, perHandshakeMs[r]);
        }
        Arrays.sort(perHandshakeMs);
        System.out.printf(Locale.ROOT, "engine_handshake server_tls_cpu_ms_median=%.3f rounds=%d handshakes=%d%n",
                perHandshakeMs[rounds / 2], rounds, handshakes);
    }

    /** Server engine CPU in ns over {@code n} handshakes. */
    private static long run(SslContext serverContext, Ed25519Identity client, X509Certificate certificate, int n)
            throws Exception {
        InMemoryHandshake handshake = new InMemoryHandshake();
        for (int i = 0; i < n; i++) {
            // A new client context each time: nothing to resume, every handshake is a full one.
            SslContext clientContext = ClientTlsContext.create(client, certificate, Optional.empty(),
                    List.of(TlsProfile.DEFAULT_ALPN), List.of(TlsProfile.PROTOCOL)).netty();
            handshake.run(serverContext, clientContext);
        }
        return handshake.serverCpuNanos();
    }
}
