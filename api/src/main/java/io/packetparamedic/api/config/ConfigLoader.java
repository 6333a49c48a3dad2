package io.packetparamedic.api.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import io.packetparamedic.api.identity.EndpointId;
import io.packetparamedic.api.pairing.PairingCodes;
import io.packetparamedic.api.time.Rfc3339;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads, validates and renders {@code reflector.toml}.
 *
 * <p>Precedence (spec section 9): {@code -c/--config} or {@code REFLECTOR_CONFIG}, then
 * {@code /etc/reflector/reflector.toml}, then {@code $XDG_CONFIG_HOME/reflector/reflector.toml}
 * (or {@code ~/.config/reflector/reflector.toml}), then the built-in defaults. An invalid value is
 * an error naming the file and the key. An unknown key is an error too, with the known key it was
 * probably meant to be: a misspelt limit silently left at its default is worse than a refusal to
 * start. {@link UnknownKeys#WARN} turns that into a warning for callers that must accept keys from
 * a newer writer (Kubernetes mode, where the operator renders the file and may be upgraded first).
 * Path values may start with {@code ~} or {@code ~/}, meaning {@code $HOME}; they are expanded
 * when the file is read.
 */
public final class ConfigLoader {

    public static final String ENV_CONFIG = "REFLECTOR_CONFIG";
    public static final Path SYSTEM_CONFIG = Path.of("/etc/reflector/reflector.toml");

    /** What an unknown key is. */
    public enum UnknownKeys {
        /** An error naming every unknown key (the default). */
        REJECT,
        /** A warning in {@link Loaded#warnings()}; the value is ignored. */
        WARN
    }

    /** The result of loading: the configuration, where it came from, and warnings to log. */
    public record Loaded(ReflectorConfig config, Optional<Path> source, List<String> warnings) {
        public String sourceDescription() {
            return source.map(Path::toString).orElse("built-in defaults");
        }
    }

    private static final TomlMapper MAPPER = TomlMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            // 2.5 for an integer key is a mistake to report, not a value to truncate to 2.
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            // TOML values are typed: "3" is a string, and a string where a number belongs is a mistake too.
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .build();

    private ConfigLoader() {}

    /** Loads with the standard precedence, reading the process environment. */
    public static Loaded load(Path explicit) {
        return load(explicit, System.getenv());
    }

    public static Loaded load(Path explicit, Map<String, String> env) {
        return load(explicit, env, UnknownKeys.REJECT);
    }

    public static Loaded load(Path explicit, Map<String, String> env, UnknownKeys unknownKeys) {
        Path chosen = resolve(explicit, env);
        if (chosen == null) return new Loaded(new ReflectorConfig(), Optional.empty(), List.of());
        return loadFile(chosen, unknownKeys);
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
        return loadFile(file, UnknownKeys.REJECT);
    }

    public static Loaded loadFile(Path file, UnknownKeys unknownKeys) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": configuration file does not exist");
        } catch (AccessDeniedException e) {
            throw new ConfigException(file + ": cannot read configuration file: permission denied (running as user "
                    + System.getProperty("user.name") + ")");
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read configuration file: " + e.getMessage());
        }
        Loaded parsed = parse(text, file.toString(), unknownKeys);
        return new Loaded(parsed.config(), Optional.of(file), parsed.warnings());
    }

    /** Parses TOML text, refusing unknown keys; {@code sourceName} is used in messages. */
    public static Loaded parse(String toml, String sourceName) {
        return parse(toml, sourceName, UnknownKeys.REJECT);
    }

    public static Loaded parse(String toml, String sourceName, UnknownKeys unknownKeys) {
        List<String> unknown = new ArrayList<>();
        ReflectorConfig config;
        try {
            config = MAPPER.readerFor(ReflectorConfig.class)
                    .withHandler(new UnknownKeyCollector(unknown))
                    .readValue(toml);
        } catch (JsonMappingException e) {
            String key = keyOf(e.getPath());
            if (e instanceof MismatchedInputException m && isInteger(m.getTargetType())) {
                throw new ConfigException(sourceName + ": invalid value for " + key + ": must be "
                        + IntegerKeys.of(key).requirement() + ", got " + offendingValue(m));
            }
            throw new ConfigException(sourceName + ": invalid value for " + key + ": "
                    + e.getOriginalMessage().lines().findFirst().orElse(""));
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null
                    ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column "
                            + e.getLocation().getColumnNr();
            throw new ConfigException(sourceName + ": malformed TOML" + where + ": " + e.getOriginalMessage());
        }
        if (config == null) config = new ReflectorConfig();
        if (!unknown.isEmpty() && unknownKeys == UnknownKeys.REJECT) {
            throw new ConfigException(sourceName + ": " + String.join("; ", unknown));
        }
        validate(config, sourceName);
        expandHome(config);
        List<String> warnings =
                unknown.stream().map(u -> sourceName + ": " + u + " (ignored)").toList();
        return new Loaded(config, Optional.empty(), warnings);
    }

    /** Path values as the reflector uses them: {@code ~} and {@code ~/…} mean {@code $HOME}. */
    private static void expandHome(ReflectorConfig c) {
        c.identity.privateKeyPath = Paths.expand(c.identity.privateKeyPath).toString();
        c.logging.auditLogPath = Paths.expand(c.logging.auditLogPath).toString();
        if (c.state.dataDir != null && !c.state.dataDir.isBlank())
            c.state.dataDir = Paths.expand(c.state.dataDir).toString();
        c.iperf3.path = Paths.expand(c.iperf3.path).toString();
    }

    private static boolean isInteger(Class<?> type) {
        return type == int.class || type == long.class || type == Integer.class || type == Long.class;
    }

    /** Jackson quotes the value in its coercion messages: {@code Floating-point value (2.5)}, {@code String value ("3")}. */
    private static final Pattern QUOTED_VALUE = Pattern.compile("value \\((.{1,80}?)\\) to");

    /** The value as written, e.g. {@code 2.5} or {@code "3"}. */
    private static String offendingValue(MismatchedInputException e) {
        if (e instanceof InvalidFormatException f && f.getValue() != null) {
            return f.getValue() instanceof String text ? "\"" + text + "\"" : String.valueOf(f.getValue());
        }
        Matcher m = QUOTED_VALUE.matcher(e.getOriginalMessage());
        return m.find() ? m.group(1) : "a value of another type";
    }

    /** Renders a configuration as TOML that {@link #parse} reads back to the same values. */
    public static String render(ReflectorConfig config) {
        try {
            return MAPPER.writeValueAsString(config);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render configuration", e);
        }
    }

    /** A deep copy of {@code config}, for deriving a variant without touching a value others hold. */
    static ReflectorConfig copy(ReflectorConfig config) {
        return MAPPER.convertValue(config, ReflectorConfig.class);
    }

    private static final Set<String> MODES = Set.of("tunneled", "direct_ephemeral");
    private static final Set<String> DATA_PATHS = Set.of("auto", "netty");
    private static final Set<String> TLS_PROVIDERS = Set.of("jdk", "bc");
    private static final Set<String> LEVELS = Set.of("trace", "debug", "info", "warn", "error");

    /** Checks what the types alone do not; throws naming the first offending key. */
    public static void validate(ReflectorConfig c, String source) {
        Checker k = new Checker(source);
        k.path("identity.private_key_path", c.identity.privateKeyPath);
        k.hostPort("network.listen_address", c.network.listenAddress);
        k.hostPort("network.listen_address_health", c.network.listenAddressHealth);
        k.notBlank("network.alpn", c.network.alpn);
        k.oneOf("network.mode", c.network.mode, MODES);
        k.oneOf("network.data_path", c.network.dataPath, DATA_PATHS);
        k.oneOf("network.tls_provider", c.network.tlsProvider, TLS_PROVIDERS);
        k.integer("network.data_port_range_start", c.network.dataPortRangeStart);
        k.integer("network.data_port_range_end", c.network.dataPortRangeEnd);
        k.check(
                "network.data_port_range_end",
                c.network.dataPortRangeEnd >= c.network.dataPortRangeStart,
                "must be >= data_port_range_start (" + c.network.dataPortRangeStart + ")");
        k.integer("network.handshake_timeout_sec", c.network.handshakeTimeoutSec);
        k.integer("network.idle_timeout_sec", c.network.idleTimeoutSec);
        k.integer("network.max_connections", c.network.maxConnections);
        k.integer("network.max_unauthenticated_per_source", c.network.maxUnauthenticatedPerSource);
        k.integer("network.max_unauthenticated_percent", c.network.maxUnauthenticatedPercent);
        k.integer("network.first_byte_timeout_ms", c.network.firstByteTimeoutMs);
        k.integer("network.max_buffered_inbound_bytes", c.network.maxBufferedInboundBytes);
        k.integer("network.drain_timeout_sec", c.network.drainTimeoutSec);
        k.integer("network.busy_poll_us", c.network.busyPollUs);
        for (int i = 0; i < c.access.authorizedPeers.size(); i++) {
            k.endpointId("access.authorized_peers[" + i + "]", c.access.authorizedPeers.get(i));
        }
        Map<String, Integer> names = new HashMap<>();
        for (int i = 0; i < c.access.peers.size(); i++) {
            ReflectorConfig.Peer p = c.access.peers.get(i);
            k.endpointId("access.peers[" + i + "].endpoint_id", p.endpointId);
            if (p.name != null && !p.name.isBlank()) {
                // A name addresses one peer (peers remove, the AuthorizedPeer whose status is written).
                Integer first = names.putIfAbsent(p.name.strip().toLowerCase(Locale.ROOT), i);
                k.check(
                        "access.peers[" + i + "].name",
                        first == null,
                        "\"" + p.name + "\" is already the name of access.peers[" + first + "]; names must be unique");
            }
            if (p.maxTestsPerHourPerPeer != null) {
                k.integer("access.peers[" + i + "].max_tests_per_hour_per_peer", p.maxTestsPerHourPerPeer);
            }
            if (p.maxBytesPerDayPerPeer != null) {
                k.integer("access.peers[" + i + "].max_bytes_per_day_per_peer", p.maxBytesPerDayPerPeer);
            }
        }
        for (int i = 0; i < c.access.pairingCodes.size(); i++) {
            ReflectorConfig.PairingCode p = c.access.pairingCodes.get(i);
            String key = "access.pairing_codes[" + i + "]";
            k.check(
                    key + ".code",
                    PairingCodes.isValid(p.code),
                    "must be " + PairingCodes.LENGTH + " characters from " + PairingCodes.ALPHABET);
            if (p.expiresAt != null) k.instant(key + ".expires_at", p.expiresAt);
        }
        List<ReflectorConfig.FleetMember> members = c.fleetMembers();
        Map<String, Integer> memberIds = new HashMap<>();
        for (int i = 0; i < members.size(); i++) {
            ReflectorConfig.FleetMember m = members.get(i);
            String key = "fleet.members[" + i + "]";
            k.endpointId(key + ".endpoint_id", m.endpointId);
            Integer first = memberIds.putIfAbsent(EndpointId.parse(m.endpointId).toString(), i);
            k.check(
                    key + ".endpoint_id",
                    first == null,
                    "already the Endpoint ID of fleet.members[" + first + "]; each reflector is listed once");
            k.hostPort(key + ".address", m.address);
        }
        k.integer("quotas.max_test_duration_sec", c.quotas.maxTestDurationSec);
        k.integer("quotas.max_concurrent_tests", c.quotas.maxConcurrentTests);
        k.integer("quotas.max_tests_per_hour_per_peer", c.quotas.maxTestsPerHourPerPeer);
        k.integer("quotas.max_bytes_per_day_per_peer", c.quotas.maxBytesPerDayPerPeer);
        k.integer("quotas.cooldown_sec", c.quotas.cooldownSec);
        k.integer("quotas.udp_echo_max_packet_rate", c.quotas.udpEchoMaxPacketRate);
        k.path("iperf3.path", c.iperf3.path);
        k.integer("iperf3.max_streams", c.iperf3.maxStreams);
        k.integer("iperf3.default_streams", c.iperf3.defaultStreams);
        k.check(
                "iperf3.default_streams",
                c.iperf3.defaultStreams <= c.iperf3.maxStreams,
                "must be <= max_streams (" + c.iperf3.maxStreams + ")");
        k.oneOf("logging.level", c.logging.level == null ? null : c.logging.level.toLowerCase(), LEVELS);
        k.path("logging.audit_log_path", c.logging.auditLogPath);
        k.integer("logging.audit_log_max_bytes", c.logging.auditLogMaxBytes);
        k.integer("logging.audit_log_keep", c.logging.auditLogKeep);
        if (c.state.dataDir != null && !c.state.dataDir.isBlank()) k.path("state.data_dir", c.state.dataDir);
    }

    /** Accumulates nothing: the first failure throws, with file and key in the message. */
    private record Checker(String source) {
        void check(String key, boolean ok, String problem) {
            if (!ok) throw new ConfigException(source + ": invalid value for " + key + ": " + problem);
        }

        void notBlank(String key, String v) {
            check(key, v != null && !v.isBlank(), "must not be empty");
        }

        void integer(String key, long v) {
            IntegerKeys.Range range = IntegerKeys.of(key);
            check(key, range.contains(v), "must be " + range.requirement() + ", got " + v);
        }

        /** Not empty; {@code ~user/…} is refused rather than taken as a relative directory named {@code ~user}. */
        void path(String key, String v) {
            notBlank(key, v);
            check(
                    key,
                    !v.startsWith("~") || v.equals("~") || v.startsWith("~/"),
                    "only ~ and ~/… (your home directory) are expanded, not ~user; got \"" + v + "\"");
        }

        void oneOf(String key, String v, Set<String> allowed) {
            check(key, v != null && allowed.contains(v), "must be one of " + allowed + ", got \"" + v + "\"");
        }

        void hostPort(String key, String v) {
            notBlank(key, v);
            try {
                URI uri = new URI("tcp://" + v);
                check(
                        key,
                        uri.getHost() != null && uri.getPort() >= 0 && uri.getPort() <= 65535,
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
                Rfc3339.parse(v);
            } catch (IllegalArgumentException e) {
                check(key, false, "must be an RFC 3339 time such as 2026-02-12T15:00:00Z, got \"" + v + "\"");
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

    /** Notes each unknown key, with the known one it is probably a mistake for, and skips its value. */
    private static final class UnknownKeyCollector extends DeserializationProblemHandler {
        private final List<String> unknown;

        UnknownKeyCollector(List<String> unknown) {
            this.unknown = unknown;
        }

        @Override
        public boolean handleUnknownProperty(
                DeserializationContext ctxt,
                JsonParser p,
                JsonDeserializer<?> deserializer,
                Object beanOrClass,
                String propertyName)
                throws IOException {
            // Depending on the value's token the parser may already be inside the value's own
            // context, so the innermost name may or may not be the property itself.
            List<String> names = new ArrayList<>();
            for (JsonStreamContext c = p.getParsingContext(); c != null; c = c.getParent()) {
                if (c.inObject() && c.getCurrentName() != null) names.add(0, c.getCurrentName());
                else if (c.inArray()) names.add(0, "[" + c.getCurrentIndex() + "]");
            }
            if (names.isEmpty() || !names.get(names.size() - 1).equals(propertyName)) names.add(propertyName);
            String key = String.join(".", names).replace(".[", "[");
            String parent = key.substring(0, key.length() - propertyName.length());
            List<String> known = deserializer == null
                    ? List.of()
                    : deserializer.getKnownPropertyNames().stream()
                            .map(String::valueOf)
                            .toList();
            unknown.add("unknown key " + key
                    + DidYouMean.closest(propertyName, known)
                            .map(k -> " (did you mean " + parent + k + "?)")
                            .orElse(""));
            p.skipChildren();
            return true;
        }
    }
}
