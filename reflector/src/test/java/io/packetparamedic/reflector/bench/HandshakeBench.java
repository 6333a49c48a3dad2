package io.packetparamedic.reflector.bench;

import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.api.identity.EndpointId;
import io.packetparamedic.api.identity.SelfSignedCertificate;
import io.packetparamedic.reflector.client.LinkClient;
import io.packetparamedic.reflector.tls.ClientTlsContext;
import io.packetparamedic.reflector.tls.TlsProfile;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Load generator of bench/control-plane: against a running reflector on loopback, measures
 * (1) full connections per second, each one a new TCP connection, a TLS 1.3 mutual handshake
 * with Ed25519 certificates and one hello / server_hello round trip, at a given concurrency, with
 * the latency of that whole exchange; and (2) the hello round trip alone on connections that are
 * already open. Prints figures; asserts nothing. Not a test (no "Test" in its name).
 *
 * <pre>java -cp reflector.jar:test-classes io.packetparamedic.reflector.bench.HandshakeBench
 *     HOST PORT CLIENT_KEY SERVER_ID CONCURRENCY SECONDS full|hello|warmup</pre>
 */
public final class HandshakeBench {

    public static void main(String[] args) throws Exception {
        if (args.length != 7 || !Set.of("full", "hello", "warmup").contains(args[6])) {
            System.err.println("usage: HandshakeBench HOST PORT CLIENT_KEY SERVER_ID CONCURRENCY SECONDS full|hello|warmup");
            System.exit(2);
        }
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        Ed25519Identity identity = Ed25519Identity.load(java.nio.file.Path.of(args[2]));
        LinkClient.Options options = LinkClient.Options.defaults().pinning(EndpointId.parse(args[3]));
        int concurrency = Integer.parseInt(args[4]);
        Duration duration = Duration.ofSeconds(Long.parseLong(args[5]));
        String mode = args[6];

        // Warm-up of this JVM (the server is warmed by the "warmup" run the script makes first).
        run(host, port, identity, options, concurrency, Duration.ofSeconds(2), !mode.equals("hello"));
        if (mode.equals("warmup")) return;
        Result r = run(host, port, identity, options, concurrency, duration, mode.equals("full"));
        String what = mode.equals("full") ? "handshake+hello" : "hello_rtt";
        System.out.printf(Locale.ROOT, "%s concurrency=%d count=%d per_sec=%.0f p50_ms=%.3f p99_ms=%.3f errors=%d%n",
                what, concurrency, r.latenciesNanos.length, r.perSecond(), r.percentileMs(50), r.percentileMs(99),
                r.errors);
    }

    record Result(long[] latenciesNanos, long errors, Duration elapsed) {
        double perSecond() {
            return latenciesNanos.length / (elapsed.toNanos() / 1e9);
        }

        double percentileMs(int p) {
            if (latenciesNanos.length == 0) return Double.NaN;
            int i = (int) Math.ceil(p / 100.0 * latenciesNanos.length) - 1;
            return latenciesNanos[Math.max(0, i)] / 1e6;
        }
    }

    /** {@code fresh}: a new connection per exchange; otherwise one connection per worker, hellos only. */
    static Result run(String host, int port, Ed25519Identity identity, LinkClient.Options options, int concurrency,
            Duration duration, boolean fresh) throws InterruptedException {
        // The certificate is made once: its creation is the client's business, not the handshake's.
        X509Certificate certificate = SelfSignedCertificate.create(identity);
        InetSocketAddress address = new InetSocketAddress(host, port);
        List<long[]> perWorker = new java.util.concurrent.CopyOnWriteArrayList<>();
        int[] counts = new int[concurrency];
        AtomicLong errors = new AtomicLong();
        CountDownLatch start = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(concurrency);
        long[] deadline = new long[1];
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < concurrency; w++) {
            perWorker.add(new long[4096]);
            int worker = w;
            Thread t = new Thread(() -> {
                try {
                    start.await();
                    LinkClient kept = null;
                    int n = 0;
                    long[] samples = perWorker.get(worker);
                    while (System.nanoTime() < deadline[0]) {
                        long t0 = System.nanoTime();
                        try {
                            if (fresh) {
                                // A new client context per connection: nothing to resume, every
                                // handshake is a full one (a shared JDK context would offer PSKs).
                                ClientTlsContext tls = ClientTlsContext.create(identity, certificate,
                                        options.pinnedServer(), List.of(options.alpn()), List.of(TlsProfile.PROTOCOL));
                                try (LinkClient c = LinkClient.connect(address, tls, options)) {
                                    c.hello();
                                }
                            } else {
                                if (kept == null) kept = LinkClient.connect(host, port, identity, options);
                                t0 = System.nanoTime();
                                kept.hello();
                            }
                            if (n == samples.length) {
                                samples = Arrays.copyOf(samples, n * 2);
                                perWorker.set(worker, samples);
                            }
                            samples[n++] = System.nanoTime() - t0;
                        } catch (IOException e) {
                            errors.incrementAndGet();
                            if (kept != null) {
                                kept.close();
                                kept = null;
                            }
                        }
                    }
                    counts[worker] = n;
                    if (kept != null) kept.close();
                } catch (InterruptedException | IOException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    done.countDown();
                }
            }, "bench-" + w);
            threads.add(t);
            t.start();
        }
        long t0 = System.nanoTime();
        deadline[0] = t0 + duration.toNanos();
        start.countDown();
        done.await();
        Duration elapsed = Duration.ofNanos(System.nanoTime() - t0);
        int total = Arrays.stream(counts).sum();
        long[] all = new long[total];
        int k = 0;
        for (int w = 0; w < concurrency; w++) {
            System.arraycopy(perWorker.get(w), 0, all, k, counts[w]);
            k += counts[w];
        }
        Arrays.sort(all);
        return new Result(all, errors.get(), elapsed);
    }
}
