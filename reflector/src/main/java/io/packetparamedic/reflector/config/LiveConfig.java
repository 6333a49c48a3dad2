package io.packetparamedic.reflector.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.packetparamedic.api.config.ReflectorConfig;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one owner of the running reflector's configuration. Everything that must follow a change
 * reads {@link #get()} when it needs a value, or registers a typed listener for the part it
 * applies (peers, pairing codes, quotas, network limits, log level). A new configuration comes
 * through {@link #apply} from whichever source the mode has: the TOML file watcher (standalone)
 * or the config Secret watcher (Kubernetes); both go the same way.
 *
 * <p>The values handed in are never modified afterwards: callers that need a variant (a
 * {@code --bind} override, a local data directory) derive a copy before applying it.
 */
public final class LiveConfig implements Supplier<ReflectorConfig> {

    private static final Logger LOG = LoggerFactory.getLogger(LiveConfig.class);
    /** Compares sections by value: the config classes are plain data without equals. */
    private static final ObjectMapper VALUES = new ObjectMapper();

    /** A configuration with its peers parsed, once, when it is applied. */
    private record InForce(ReflectorConfig config, ConfiguredPeers peers) {
        static InForce of(ReflectorConfig config) {
            return new InForce(config, ConfiguredPeers.of(config.access));
        }
    }

    private record Listener<T>(Function<InForce, T> part, Consumer<T> onChange) {
        void notify(InForce previous, InForce next) {
            T after = part.apply(next);
            if (!same(part.apply(previous), after)) onChange.accept(after);
        }
    }

    private static boolean same(Object a, Object b) {
        if (Objects.equals(a, b)) return true;
        // Values with their own equals (records, strings) have answered; sections compare as trees.
        if (a == null || b == null || a instanceof ConfiguredPeers) return false;
        return VALUES.valueToTree(a).equals(VALUES.<JsonNode>valueToTree(b));
    }

    private final List<Listener<?>> listeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<ReflectorConfig>> applied = new CopyOnWriteArrayList<>();
    private volatile InForce current;

    public LiveConfig(ReflectorConfig initial) {
        this.current = InForce.of(Objects.requireNonNull(initial, "initial"));
    }

    /** The configuration in force now. */
    @Override
    public ReflectorConfig get() {
        return current.config();
    }

    /** The configured peers ({@code authorized_peers} and {@code [[access.peers]]}), parsed. */
    public ConfiguredPeers peers() {
        return current.peers();
    }

    /** Called with the new peer list when {@code authorized_peers} or {@code [[access.peers]]} changed. */
    public void onPeers(Consumer<ConfiguredPeers> listener) {
        listeners.add(new Listener<>(InForce::peers, listener));
    }

    /** Called with the new codes when {@code [[access.pairing_codes]]} changed. */
    public void onPairingCodes(Consumer<List<ReflectorConfig.PairingCode>> listener) {
        listeners.add(new Listener<>(c -> c.config().access.pairingCodes, listener));
    }

    /** Called with the new {@code [quotas]} when any quota changed. */
    public void onQuotas(Consumer<ReflectorConfig.Quotas> listener) {
        listeners.add(new Listener<>(c -> c.config().quotas, listener));
    }

    /** Called with the new {@code [network]} when any of it changed (limits and timeouts apply live). */
    public void onLimits(Consumer<ReflectorConfig.Network> listener) {
        listeners.add(new Listener<>(c -> c.config().network, listener));
    }

    /** Called with the new {@code [logging] level} when it changed. */
    public void onLogLevel(Consumer<String> listener) {
        listeners.add(new Listener<>(c -> c.config().logging.level, listener));
    }

    /** Called with every configuration applied, after the part listeners (e.g. to log that it was applied). */
    public void onApplied(Consumer<ReflectorConfig> listener) {
        applied.add(listener);
    }

    /**
     * Makes {@code next} the configuration in force, then tells each listener whose part changed,
     * in registration order. Settings bound at start (listen addresses, ALPN) are logged as
     * needing a restart.
     */
    public synchronized void apply(ReflectorConfig next) {
        InForce previous = current;
        current = InForce.of(Objects.requireNonNull(next, "next"));
        ReflectorConfig.Network was = previous.config().network;
        if (!Objects.equals(was.listenAddress, next.network.listenAddress)
                || !Objects.equals(was.listenAddressHealth, next.network.listenAddressHealth)
                || !Objects.equals(was.alpn, next.network.alpn)
                || was.requireAlpn != next.network.requireAlpn
                || !Objects.equals(was.tlsProvider, next.network.tlsProvider)) {
            LOG.warn(
                    "event=config_needs_restart keys=network.listen_address,network.listen_address_health,network.alpn,network.require_alpn,network.tls_provider");
        }
        for (Listener<?> l : listeners) {
            try {
                l.notify(previous, current);
            } catch (RuntimeException e) {
                // One part failing to apply must not keep the others on the old configuration.
                LOG.warn("event=config_listener_failed error=\"{}\"", e.toString());
            }
        }
        applied.forEach(l -> l.accept(next));
    }
}
