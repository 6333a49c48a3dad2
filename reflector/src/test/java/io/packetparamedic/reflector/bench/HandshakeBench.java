package io.packetparamedic.reflector.bench;

import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.api.identity.EndpointId;
import io.packetparamedic.api.identity.SelfSignedCertificate;
import io.packetparamedic.reflector.client.LinkClient;
import io.packetparamedic.reflector.tls.ClientTlsContext;
import io.packetparamedic.reflector.tls.TlsProfile;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
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
 * already open; {@code resume} is {@code full} with one client TLS context per worker, so that
 * the client offers the server's last session ticket (TLS 1.3 PSK) when the server issues any.
 * With SERVER_PID, also the server's CPU time (utime + stime from /proc) over the measured run
 * alone, per operation. Prints figures; asserts nothing. Not a test (no "Test" in its name).
 *
 * <pre>java -cp reflector.jar:test-classes io.packetparamedic.reflector.bench.HandshakeBench
 *     HOST PORT CLIENT_KEY SERVER_ID CONCURRENCY SECONDS full|resume|hello|warmup [SERVER_PID]</pre>
 */
public final class HandshakeBench {

    public static void main(String[] args) throws Exception {
        if (args.length < 7
                || args.length > 8
                || !Set.of("full", "resume", "hello", "warmup").contains(args[6])) {
            System.err.println("usage: HandshakeBench HOST PORT CLIENT_KEY SERVER_ID CONCURRENCY SECONDS "
                    + "full|resume|hello|warmup [SERVER_PID]");
            System.exit(2);
        }
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        Ed25519Identity identity = Ed25519Identity.load(java.nio.file.Path.of(args[2]));
        LinkClient.Options options = LinkClient.Options.defaults().pinning(EndpointId.parse(args[3]));
        int concurrency = Integer.parseInt(args[4]);
        Duration duration = Duration.ofSeconds(Long.parseLong(args[5]));
        String mode = args[6];
        Path serverStat = args.length == 8 ? Path.of("/proc", args[7], "stat") : null;

        // Warm-up of this JVM (the server is warmed by the "warmup" run the script makes first).
        run(host, port, identity, options, concurrency, Duration.ofSeconds(2), mode);
        if (mode.equals("warmup")) return;
        long cpuBefore = serverStat == null ? 0 : cpuMillis(serverStat);
        Result r = run(host, port, identity, options, concurrency, duration, mode);
        String cpu = "";
        if (serverStat != null) {
            long used = cpuMillis(serverStat) - cpuBefore;
            cpu = String.format(
                    Locale.ROOT,
                    " server_cpu_ms=%d server_cpu_ms_per_op=%.3f",
                    used,
                    r.latenciesNanos.length == 0 ? Double.NaN : (double) used / r.latenciesNanos.length);
        }
        String what = switch (mode) {
            case "full" -> "handshake+hello";
            case "resume" -> "resumed_handshake+hello";
            default -> "hello_rtt";
        };
        System.out.printf(
                Locale.ROOT,
                "%s concurrency=%d count=%d per_sec=%.0f p50_ms=%.3f p99_ms=%.3f errors=%d%s%n",
                what,
                concurrency,
                r.latenciesNanos.length,
                r.perSecond(),
                r.percentileMs(50),
                r.percentileMs(99),
                r.errors,
                cpu);
    }

    /** utime + stime of a process in ms, from fields 14 and 15 of /proc/PID/stat (at 100 ticks/s). */
    static long cpuMillis(Path stat) throws IOException {
        String s = Files.readString(stat);
        // The command name (field 2) may contain spaces; the fields after it start past its ')'.
        String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10;
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

    /** {@code hello}: one connection per worker, hellos only; otherwise a new connection per exchange. */
    static Result run(
            String host,
            int port,
            Ed25519Identity identity,
            LinkClient.Options options,
            int concurrency,
            Duration duration,
            String mode)
            throws InterruptedException {
        boolean fresh = !mode.equals("hello");
        boolean resume = mode.equals("resume");
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
            Thread t = new Thread(
                    () -> {
                        try {
                            start.await();
                            LinkClient kept = null;
                            ClientTlsContext shared = resume
                                    ? ClientTlsContext.create(
                                            identity,
                                            certificate,
                                            options.pinnedServer(),
                                            List.of(options.alpn()),
                                            List.of(TlsProfile.PROTOCOL))
                                    : null;
                            int n = 0;
                            long[] samples = perWorker.get(worker);
                            while (System.nanoTime() < deadline[0]) {
                                long t0 = System.nanoTime();
                                try {
                                    if (fresh) {
                                        // A new client context per connection: nothing to resume, every
                                        // handshake is a full one (a shared JDK context would offer PSKs).
                                        ClientTlsContext tls = shared != null
                                                ? shared
                                                : ClientTlsContext.create(
                                                        identity,
                                                        certificate,
                                                        options.pinnedServer(),
                                                        List.of(options.alpn()),
                                                        List.of(TlsProfile.PROTOCOL));
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
                    },
                    "bench-" + w);
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
