package io.packetparamedic.operator;

import io.fabric8.kubernetes.api.model.Secret;
import io.packetparamedic.api.config.ReflectorConfig;
import io.packetparamedic.api.crd.ReflectorInstance;
import io.packetparamedic.api.identity.EndpointId;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Which peers a reflector pod serves: those in its config Secret when the pod reports that very
 * config as applied (status.appliedConfigHash, or every node of a fleet: {@link AppliedConfigHash},
 * equals the Secret text's digest). Each Secret
 * version is parsed once (a config may list thousands of peers and every peer's reconcile asks),
 * and only the latest version per Secret is kept, so the memory is one entry per instance.
 */
final class AppliedPeers {

    /** One version of one config Secret: its digest and the canonical Endpoint IDs it lists. */
    record Parsed(String resourceVersion, String digest, Set<String> endpointIds) {}

    private final Map<String, Parsed> bySecret = new ConcurrentHashMap<>();

    /** Whether the pod of {@code instance} serves with this peer in its config now. */
    boolean serves(ReflectorInstance instance, Optional<Secret> configSecret, EndpointId peer) {
        String applied = AppliedConfigHash.of(instance);
        if (applied == null || configSecret.isEmpty()) return false;
        Parsed parsed = parse(configSecret.get());
        return applied.equals(parsed.digest()) && parsed.endpointIds().contains(peer.toString());
    }

    /** The pod already serves the text of this Secret version. */
    static boolean caughtUp(ReflectorInstance instance, Secret configSecret) {
        String applied = AppliedConfigHash.of(instance);
        return applied != null
                && ConfigDigest.of(configSecret).map(applied::equals).orElse(false);
    }

    private Parsed parse(Secret secret) {
        String key = Names.key(secret);
        String version = secret.getMetadata().getResourceVersion();
        return bySecret.compute(
                key,
                (k, known) -> known != null && known.resourceVersion().equals(version)
                        ? known
                        : new Parsed(version, ConfigDigest.of(secret).orElse(""), endpointIds(secret)));
    }

    private static Set<String> endpointIds(Secret secret) {
        Optional<ReflectorConfig> parsed = RenderedConfig.of(secret);
        if (parsed.isEmpty()) return Set.of();
        ReflectorConfig config = parsed.get();
        return Stream.concat(
                        config.access.authorizedPeers.stream(),
                        config.access.peers.stream().map(p -> p.endpointId))
                .flatMap(id -> {
                    try {
                        return Stream.of(EndpointId.parse(id).toString());
                    } catch (IllegalArgumentException e) {
                        return Stream.empty();
                    }
                })
                .collect(Collectors.toUnmodifiableSet());
    }
}
