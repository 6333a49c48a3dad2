package io.packetparamedic.reflector.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.packetparamedic.api.config.ReflectorConfig;
import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.reflector.client.LinkClient;
import io.packetparamedic.reflector.runtime.ReflectorRuntime;
import io.packetparamedic.reflector.wire.Payload;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

/** A real reflector on 127.0.0.1 (ephemeral ports) with its files in a test directory. */
public final class TestReflector implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    public static final Payload.PathMeta PATH_META =
            new Payload.PathMeta(0.05, 412, 7823, List.of(0.2, 0.15, 0.1), 1500, true, "0.1.0", "8f248c1");

    public final Path dir;
    public final Ed25519Identity identity;
    public final TestSessions sessions = new TestSessions();
    public final MutableClock clock = new MutableClock();
    /** Every pairing the reflector reported to its listener, as "peer window". */
    public final List<String> pairings = new java.util.concurrent.CopyOnWriteArrayList<>();

    public ReflectorConfig config;
    public ReflectorRuntime reflector;

    private TestReflector(Path dir, ReflectorConfig config, Ed25519Identity identity) {
        this.dir = dir;
        this.config = config;
        this.identity = identity;
    }

    /**
     * {@code -D}{@value}{@code =bc} runs every test reflector (and the field-client conformance
     * test's served one) with BCJSSE instead of the JDK's TLS: the compatibility suites, once per
     * provider.
     */
    public static final String TLS_PROVIDER_PROPERTY = "reflector.test.tls-provider";

    /** The TLS provider test reflectors use: {@value #TLS_PROVIDER_PROPERTY}, else jdk. */
    public static String tlsProvider() {
        return System.getProperty(TLS_PROVIDER_PROPERTY, "jdk");
    }

    public static ReflectorConfig config(Path dir) {
        ReflectorConfig c = new ReflectorConfig();
        c.network.tlsProvider = tlsProvider();
        c.identity.privateKeyPath = dir.resolve("identity.ed25519").toString();
        c.network.listenAddress = "127.0.0.1:0";
        c.network.listenAddressHealth = "127.0.0.1:0";
        c.logging.auditLogPath = dir.resolve("logs/deep/er/audit.jsonl").toString();
        c.state.dataDir = dir.resolve("state").toString();
        return c;
    }

    public static TestReflector start(Path dir, Consumer<ReflectorConfig> customize) throws IOException {
        ReflectorConfig c = config(dir);
        customize.accept(c);
        TestReflector t = new TestReflector(dir, c, Ed25519Identity.generate());
        t.reflector = t.startReflector();
        return t;
    }

    private ReflectorRuntime startReflector() throws IOException {
        return ReflectorRuntime.builder(config, identity)
                .sessions(sessions)
                .pathMeta(peer -> PATH_META)
                .clock(clock)
                .pairingListener((peer, window) -> pairings.add(peer + " " + window))
                .start();
    }

    /** Stops this reflector and starts a new one on the same identity, config and files. */
    public void restart() throws IOException {
        reflector.close();
        reflector = startReflector();
    }

    public LinkClient connect(Ed25519Identity client) throws IOException {
        return LinkClient.connect(
                reflector.controlAddress(),
                client,
                LinkClient.Options.defaults().withReadTimeout(Duration.ofSeconds(15)));
    }

    public Path auditPath() {
        return config.auditLogPath();
    }

    /** Every audit line written so far, parsed. */
    public List<JsonNode> auditLines() throws IOException {
        try {
            reflector.auditLog().flush(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<JsonNode> out = new ArrayList<>();
        if (!Files.exists(auditPath())) return out;
        for (String line : Files.readAllLines(auditPath())) out.add(JSON.readTree(line));
        return out;
    }

    /**
     * The first audit line matching {@code match}, waiting up to 15 s for it: the server audits
     * asynchronously to what the client observes, and there is no event to await from outside.
     */
    public JsonNode awaitAudit(Predicate<JsonNode> match) throws IOException, InterruptedException {
        return awaitAudits(match, 1).get(0);
    }

    /** The first {@code count} audit lines matching {@code match}, in log order, waiting up to 15 s for them. */
    public List<JsonNode> awaitAudits(Predicate<JsonNode> match, int count) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (true) {
            List<JsonNode> found =
                    auditLines().stream().filter(match).limit(count).toList();
            if (found.size() == count) return found;
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        found.size() + " of " + count + " matching audit lines within 15 s; lines: " + auditLines());
            }
            Thread.sleep(20);
        }
    }

    public static Predicate<JsonNode> event(String type) {
        return n -> type.equals(n.path("event_type").asText());
    }

    public static Predicate<JsonNode> event(String type, Object peer) {
        return n -> type.equals(n.path("event_type").asText())
                && String.valueOf(peer).equals(n.path("peer_id").asText());
    }

    @Override
    public void close() {
        reflector.close();
    }
}
