package io.packetparamedic.api.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import io.packetparamedic.api.identity.EndpointId;
import io.packetparamedic.api.pairing.PairingCodes;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads, validates and renders {@code reflector.toml}.
 *
 * <p>Precedence (spec section 9): {@code -c/--config} or {@code REFLECTOR_CONFIG}, then
 * {@code /etc/reflector/reflector.toml}, then {@code $XDG_CONFIG_HOME/reflector/reflector.toml}
 * (or {@code ~/.config/reflector/reflector.toml}), then the built-in defaults. An invalid value is
 * an error naming the file and the key; an unknown key is a warning naming it, so configurations
 * written for the original reflector still load.
 */
public final class ConfigLoader {

    public static final String ENV_CONFIG = "REFLECTOR_CONFIG";
    public static final Path SYSTEM_CONFIG = Path.of("/etc/reflector/reflector.toml");

    /** The result of loading: the configuration, where it came from, and warnings to log. */
    public record Loaded(ReflectorConfig config, Optional<Path> source, List<String> warnings) {
        public String sourceDescription() {
            return source.map(Path::toString).orElse("built-in defaults");
        }
    }

    private static final TomlMapper MAPPER = TomlMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    private ConfigLoader() {}

    /** Loads with the standard precedence, reading the process environment. */
    public static Loaded load(Path explicit) {
        return load(explicit, System.getenv());
    }

    public static Loaded load(Path explicit, Map<String, String> env) {
        Path chosen = resolve(explicit, env);
        if (chosen == null) return new Loaded(new ReflectorConfig(), Optional.empty(), List.of());
        return loadFile(chosen);
    }

    /** The file the precedence rules select, or null for the built-in defaults. */
    static Path resolve(Path explicit, Map<String, String> env) {
        if (explicit != null) return explicit;
        String fromEnv = env.get(ENV_CONFIG);
        if (fromEnv != null && !fromEnv.isBlank()) return Path.of(fromEnv);
        if (Files.isRegularFile(SYSTEM_CONFIG)) return SYSTEM_CONFIG;
        String xdg = env.get("XDG_CONFIG_HOME");
        Path user = xdg != null && !xdg.isBlank()
                ? Path.of(xdg, "reflector", "reflector.toml")
                : Path.of(System.getProperty("user.home"), ".config", "reflector", "reflector.toml");
        return Files.isRegularFile(user) ? user : null;
    }

    /** Loads one file; an explicitly named file that does not exist is an error. */
    public static Loaded loadFile(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": configuration file does not exist");
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read configuration file: " + e.getMessage());
        }
        Loaded parsed = parse(text, file.toString());
        return new Loaded(parsed.config(), Optional.of(file), parsed.warnings());
    }

    /** Parses TOML text; {@code sourceName} is used in messages. */
    public static Loaded parse(String toml, String sourceName) {
        List<String> warnings = new ArrayList<>();
        ReflectorConfig config;
        try {
            config = MAPPER.readerFor(ReflectorConfig.class)
                    .withHandler(new UnknownKeyCollector(sourceName, warnings))
                    .readValue(toml);
        } catch (JsonMappingException e) {
            throw new ConfigException(sourceName + ": invalid value for " + keyOf(e.getPath())
                    + ": " + e.getOriginalMessage().lines().findFirst().orElse(""));
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw new ConfigException(sourceName + ": malformed TOML" + where + ": " + e.getOriginalMessage());
        }
        if (config == null) config = new ReflectorConfig();
        validate(config, sourceName);
        return new Loaded(config, Optional.empty(), List.copyOf(warnings));
    }

    /** Renders a configuration as TOML that {@link #parse} reads back to the same values. */
    public static String render(ReflectorConfig config) {
        try {
            return MAPPER.writeValueAsString(config);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render configuration", e);
        }
    }

    private static final Set<String> MODES = Set.of("tunneled", "direct_ephemeral");
    private static final Set<String> LEVELS = Set.of("trace", "debug", "info", "warn", "error");

    /** Checks what the types alone do not; throws naming the first offending key. */
    public static void validate(ReflectorConfig c, String source) {
        Checker k = new Checker(source);
        k.notBlank("identity.private_key_path", c.identity.privateKeyPath);
        k.hostPort("network.listen_address", c.network.listenAddress);
        k.hostPort("network.listen_address_health", c.network.listenAddressHealth);
        k.notBlank("network.alpn", c.network.alpn);
        k.oneOf("network.mode", c.network.mode, MODES);
        k.port("network.data_port_range_start", c.network.dataPortRangeStart);
        k.port("network.data_port_range_end", c.network.dataPortRangeEnd);
        k.check("network.data_port_range_end", c.network.dataPortRangeEnd >= c.network.dataPortRangeStart,
                "must be >= data_port_range_start (" + c.network.dataPortRangeStart + ")");
        k.atLeast("network.handshake_timeout_sec", c.network.handshakeTimeoutSec, 1);
        k.atLeast("network.idle_timeout_sec", c.network.idleTimeoutSec, 1);
        k.atLeast("network.max_connections", c.network.maxConnections, 1);
        k.atLeast("network.max_unauthenticated_per_source", c.network.maxUnauthenticatedPerSource, 1);
        k.check("network.max_unauthenticated_percent",
                c.network.maxUnauthenticatedPercent >= 1 && c.network.maxUnauthenticatedPercent <= 100,
                "must be between 1 and 100");
        k.atLeast("network.first_byte_timeout_ms", c.network.firstByteTimeoutMs, 100);
        // One largest frame (1 MiB body and its 4-byte length) must fit, or authorized peers could not send it.
        k.atLeast("network.max_buffered_inbound_bytes", c.network.maxBufferedInboundBytes, (1 << 20) + 4);
        for (int i = 0; i < c.access.authorizedPeers.size(); i++) {
            k.endpointId("access.authorized_peers[" + i + "]", c.access.authorizedPeers.get(i));
        }
        for (int i = 0; i < c.access.peers.size(); i++) {
            ReflectorConfig.Peer p = c.access.peers.get(i);
            k.endpointId("access.peers[" + i + "].endpoint_id", p.endpointId);
            if (p.maxTestsPerHourPerPeer != null) {
                k.atLeast("access.peers[" + i + "].max_tests_per_hour_per_peer", p.maxTestsPerHourPerPeer, 0);
            }
            if (p.maxBytesPerDayPerPeer != null) {
                k.atLeast("access.peers[" + i + "].max_bytes_per_day_per_peer", p.maxBytesPerDayPerPeer, 0);
            }
        }
        for (int i = 0; i < c.access.pairingCodes.size(); i++) {
            ReflectorConfig.PairingCode p = c.access.pairingCodes.get(i);
            String key = "access.pairing_codes[" + i + "]";
            k.check(key + ".code", PairingCodes.isValid(p.code),
                    "must be " + PairingCodes.LENGTH + " characters from " + PairingCodes.ALPHABET);
            if (p.expiresAt != null) k.instant(key + ".expires_at", p.expiresAt);
        }
        k.atLeast("quotas.max_test_duration_sec", c.quotas.maxTestDurationSec, 1);
        k.atLeast("quotas.max_concurrent_tests", c.quotas.maxConcurrentTests, 0);
        k.atLeast("quotas.max_tests_per_hour_per_peer", c.quotas.maxTestsPerHourPerPeer, 0);
        k.atLeast("quotas.max_bytes_per_day_per_peer", c.quotas.maxBytesPerDayPerPeer, 0);
        k.atLeast("quotas.cooldown_sec", c.quotas.cooldownSec, 0);
        k.atLeast("quotas.udp_echo_max_packet_rate", c.quotas.udpEchoMaxPacketRate, 1);
        k.notBlank("iperf3.path", c.iperf3.path);
        k.atLeast("iperf3.max_streams", c.iperf3.maxStreams, 1);
        k.atLeast("iperf3.default_streams", c.iperf3.defaultStreams, 1);
        k.check("iperf3.default_streams", c.iperf3.defaultStreams <= c.iperf3.maxStreams,
                "must be <= max_streams (" + c.iperf3.maxStreams + ")");
        k.oneOf("logging.level", c.logging.level == null ? null : c.logging.level.toLowerCase(), LEVELS);
        k.notBlank("logging.audit_log_path", c.logging.auditLogPath);
        k.atLeast("logging.audit_log_max_bytes", c.logging.auditLogMaxBytes, 4096);
        k.atLeast("logging.audit_log_keep", c.logging.auditLogKeep, 0);
    }

    /** Accumulates nothing: the first failure throws, with file and key in the message. */
    private record Checker(String source) {
        void check(String key, boolean ok, String problem) {
            if (!ok) throw new ConfigException(source + ": invalid value for " + key + ": " + problem);
        }

        void notBlank(String key, String v) {
            check(key, v != null && !v.isBlank(), "must not be empty");
        }

        void atLeast(String key, long v, long min) {
            check(key, v >= min, "must be >= " + min + ", got " + v);
        }

        void port(String key, int v) {
            check(key, v >= 1 && v <= 65535, "must be a port number 1-65535, got " + v);
        }

        void oneOf(String key, String v, Set<String> allowed) {
            check(key, v != null && allowed.contains(v), "must be one of " + allowed + ", got \"" + v + "\"");
        }

        void hostPort(String key, String v) {
            notBlank(key, v);
            try {
                URI uri = new URI("tcp://" + v);
                check(key, uri.getHost() != null && uri.getPort() >= 0 && uri.getPort() <= 65535,
                        "must be host:port, got \"" + v + "\"");
            } catch (java.net.URISyntaxException e) {
                check(key, false, "must be host:port, got \"" + v + "\"");
            }
        }

        void endpointId(String key, String v) {
            try {
                EndpointId.parse(v);
            } catch (IllegalArgumentException e) {
                check(key, false, e.getMessage());
            }
        }

        void instant(String key, String v) {
            try {
                Instant.parse(v);
            } catch (DateTimeParseException e) {
                check(key, false, "must be an RFC 3339 UTC time such as 2026-02-12T15:00:00Z, got \"" + v + "\"");
            }
        }
    }

    private static String keyOf(List<JsonMappingException.Reference> path) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : path) {
            if (r.getFieldName() != null) {
                if (!sb.isEmpty()) sb.append('.');
                sb.append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        return sb.isEmpty() ? "the document" : sb.toString();
    }

    /** Turns unknown keys into warnings and skips their values. */
    private static final class UnknownKeyCollector extends DeserializationProblemHandler {
        private final String source;
        private final List<String> warnings;

        UnknownKeyCollector(String source, List<String> warnings) {
            this.source = source;
            this.warnings = warnings;
        }

        @Override
        public boolean handleUnknownProperty(DeserializationContext ctxt, JsonParser p,
                JsonDeserializer<?> deserializer, Object beanOrClass, String propertyName) throws IOException {
            // Depending on the value's token the parser may already be inside the value's own
            // context, so the innermost name may or may not be the property itself.
            List<String> names = new ArrayList<>();
            for (JsonStreamContext c = p.getParsingContext(); c != null; c = c.getParent()) {
                if (c.inObject() && c.getCurrentName() != null) names.add(0, c.getCurrentName());
                else if (c.inArray()) names.add(0, "[" + c.getCurrentIndex() + "]");
            }
            if (names.isEmpty() || !names.get(names.size() - 1).equals(propertyName)) names.add(propertyName);
            String key = String.join(".", names).replace(".[", "[");
            warnings.add(source + ": unknown key " + key.toString().replace(".[", "[") + " (ignored)");
            p.skipChildren();
            return true;
        }
    }
}
