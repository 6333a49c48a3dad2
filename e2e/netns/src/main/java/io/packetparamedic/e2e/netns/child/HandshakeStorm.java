package io.packetparamedic.e2e.netns.child;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.reflector.client.LinkClient;
import io.packetparamedic.reflector.client.LinkException;
import io.packetparamedic.reflector.tls.ClientTlsContext;
import java.io.EOFException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * Many appliances handshaking at once: one thread per identity key file in a directory, released
 * together, each connecting (mTLS) and sending {@code hello}. Meanwhile and afterwards a sentinel
 * (an authorized peer) says hello too, to show the reflector stays responsive. Prints
 * {@code RESULT <json>}: outcome per identity (served, refused, or failed), and the sentinel's
 * latencies.
 *
 * <p>Arguments: SERVER (HOST:PORT), IDENTITY_DIR, SENTINEL_KEY.
 */
public final class HandshakeStorm {

    private HandshakeStorm() {}

    /** How one appliance fared. */
    enum Outcome {
        /** server_hello received. */
        SERVED,
        /** Closed by the reflector after the handshake, or an alert: a policy refusal. */
        REFUSED,
        /** Anything else (timeout, connection refused, protocol error): not acceptable. */
        FAILED
    }

    public static void main(String[] args) throws Exception {
        String[] server = args[0].split(":");
        String host = server[0];
        int port = Integer.parseInt(server[1]);
        List<Path> keys;
        try (var files = Files.list(Path.of(args[1]))) {
            keys = files.filter(p -> p.getFileName().toString().endsWith(".ed25519"))
                    .sorted()
                    .toList();
        }
        Ed25519Identity sentinel = Ed25519Identity.load(Path.of(args[2]));
        LinkClient.Options options = LinkClient.Options.defaults().withReadTimeout(Duration.ofSeconds(20));
        InetSocketAddress address = new InetSocketAddress(host, port);
        // Certificates and TLS contexts are made before the storm: what is measured is 50 handshakes at once.
        List<Ed25519Identity> identities = new ArrayList<>();
        List<ClientTlsContext> contexts = new ArrayList<>();
        for (Path k : keys) {
            Ed25519Identity id = Ed25519Identity.load(k);
            identities.add(id);
            contexts.add(ClientTlsContext.create(id, Optional.empty(), options.alpn()));
        }
        ClientTlsContext sentinelTls = ClientTlsContext.create(sentinel, Optional.empty(), options.alpn());
        // Warm the JVM's TLS code path once, so the first storm handshakes do not pay for class loading.
        hello(address, sentinelTls, options);

        ExecutorService pool = Executors.newFixedThreadPool(identities.size() + 1);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<String[]>> results = new ArrayList<>();
        for (int i = 0; i < identities.size(); i++) {
            Ed25519Identity id = identities.get(i);
            ClientTlsContext tls = contexts.get(i);
            results.add(pool.submit(() -> {
                go.await();
                long t = System.nanoTime();
                Outcome o;
                String detail = "";
                try (LinkClient c = LinkClient.connect(address, tls, options)) {
                    c.hello();
                    o = Outcome.SERVED;
                } catch (SocketTimeoutException e) {
                    o = Outcome.FAILED;
                    detail = "timeout: " + e.getMessage();
                } catch (EOFException | SSLException | SocketException e) {
                    o = Outcome.REFUSED;
                    detail = e.getClass().getSimpleName();
                } catch (LinkException e) {
                    o = Outcome.FAILED;
                    detail = "protocol: " + e.getMessage();
                } catch (Exception e) {
                    o = Outcome.FAILED;
                    detail = e.toString();
                }
                return new String[] {
                    id.endpointId().toString(), o.name(), detail, String.valueOf((System.nanoTime() - t) / 1_000_000)
                };
            }));
        }
        Future<Long> during = pool.submit(() -> {
            go.await();
            return hello(address, sentinelTls, options);
        });
        long start = System.nanoTime();
        go.countDown();
        ObjectNode out = new ObjectMapper().createObjectNode();
        Map<String, Integer> counts = new TreeMap<>();
        ObjectNode peers = out.putObject("peers");
        long slowest = 0;
        for (Future<String[]> f : results) {
            String[] r = f.get(60, TimeUnit.SECONDS);
            counts.merge(r[1], 1, Integer::sum);
            ObjectNode p = peers.putObject(r[0]);
            p.put("outcome", r[1]);
            p.put("detail", r[2]);
            p.put("ms", Long.parseLong(r[3]));
            slowest = Math.max(slowest, Long.parseLong(r[3]));
        }
        out.put("storm_ms", (System.nanoTime() - start) / 1_000_000);
        out.put("slowest_ms", slowest);
        counts.forEach(out::put);
        out.put("sentinel_during_ms", safe(during));
        out.put("sentinel_after_ms", hello(address, sentinelTls, options));
        pool.shutdownNow();
        System.out.println("RESULT " + out);
        System.out.flush();
        System.exit(0);
    }

    /** Milliseconds for connect + hello as an authorized peer, or -1 when it failed. */
    private static long hello(InetSocketAddress address, ClientTlsContext tls, LinkClient.Options options) {
        long t = System.nanoTime();
        try (LinkClient c = LinkClient.connect(address, tls, options)) {
            c.hello();
            return (System.nanoTime() - t) / 1_000_000;
        } catch (Exception e) {
            System.err.println("sentinel hello failed: " + e);
            return -1;
        }
    }

    private static long safe(Future<Long> f) {
        try {
            return f.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            return -1;
        }
    }
}
