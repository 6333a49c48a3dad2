package io.packetparamedic.reflector.config;

import io.packetparamedic.api.config.ReflectorConfig;
import io.packetparamedic.api.identity.EndpointId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The peers a configuration authorizes, parsed once: {@code [access] authorized_peers} (no name)
 * followed by {@code [[access.peers]]}, in file order, each Endpoint ID once (a later entry's
 * name wins). The loader has already refused malformed IDs; one that slipped in through a
 * hand-built configuration is logged and left out rather than failing every other peer.
 */
public record ConfiguredPeers(List<Peer> all) {

    private static final Logger LOG = LoggerFactory.getLogger(ConfiguredPeers.class);

    /** One configured peer; {@code name} is its {@code [[access.peers]] name} when it has one. */
    public record Peer(EndpointId id, Optional<String> name) {}

    public ConfiguredPeers {
        all = List.copyOf(all);
    }

    public static ConfiguredPeers of(ReflectorConfig.Access access) {
        Map<EndpointId, Optional<String>> byId = new LinkedHashMap<>();
        for (String id : access.authorizedPeers) add(byId, id, null);
        for (ReflectorConfig.Peer p : access.peers) add(byId, p.endpointId, p.name);
        List<Peer> peers = new ArrayList<>();
        byId.forEach((id, name) -> peers.add(new Peer(id, name)));
        return new ConfiguredPeers(peers);
    }

    private static void add(Map<EndpointId, Optional<String>> into, String id, String name) {
        try {
            into.put(EndpointId.parse(id), Optional.ofNullable(name).filter(n -> !n.isBlank()));
        } catch (IllegalArgumentException e) {
            LOG.warn("event=config_peer_ignored error=\"{}\"", e.getMessage());
        }
    }
}
