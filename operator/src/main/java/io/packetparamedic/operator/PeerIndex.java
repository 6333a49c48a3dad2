package io.packetparamedic.operator;

import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.packetparamedic.api.crd.AuthorizedPeer;
import io.packetparamedic.api.crd.ReflectorInstance;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * An informer index of AuthorizedPeers by the instance they name ({@code namespace/ref:name}) or,
 * for a peer that selects instances by label, by namespace alone ({@code namespace/selector}):
 * the candidates for one instance are then its own peers and the namespace's selecting peers,
 * not every peer in the namespace. Rendering a fleet's config reads its 500 peers, not all 10,000.
 */
final class PeerIndex {

    static final String NAME = "packetparamedic.io/reflector";
    /** Peers per page when an informer lists them (start-up, relist after a watch expired). */
    static final long LIST_PAGE = 500;

    private PeerIndex() {}

    /** The index keys of a peer: at most one (a peer without a target selects nothing). */
    static List<String> keys(AuthorizedPeer peer) {
        if (peer.getSpec() == null || peer.getMetadata() == null) return List.of();
        String namespace = peer.getMetadata().getNamespace();
        if (peer.getSpec().reflectorRef != null) return List.of(namedKey(namespace, peer.getSpec().reflectorRef.name));
        if (peer.getSpec().reflectorSelector != null) return List.of(selectorKey(namespace));
        return List.of();
    }

    /**
     * The peers that may apply to {@code instance}: those naming it and every selecting peer of its
     * namespace (whether a selector matches depends on the instance's labels now, so they are all
     * candidates).
     */
    static Stream<AuthorizedPeer> candidates(IndexerResourceCache<AuthorizedPeer> peers, ReflectorInstance instance) {
        return candidates(key -> peers.byIndex(NAME, key), instance);
    }

    /** {@code byKey}: the peers under one index key (the informer's index, or a map in a test). */
    static Stream<AuthorizedPeer> candidates(Function<String, List<AuthorizedPeer>> byKey, ReflectorInstance instance) {
        String namespace = instance.getMetadata().getNamespace();
        return Stream.concat(
                byKey.apply(namedKey(namespace, instance.getMetadata().getName())).stream(),
                byKey.apply(selectorKey(namespace)).stream());
    }

    /** The peers that name or select {@code instance}, by name. */
    static List<AuthorizedPeer> selecting(IndexerResourceCache<AuthorizedPeer> peers, ReflectorInstance instance) {
        return selecting(key -> peers.byIndex(NAME, key), instance);
    }

    static List<AuthorizedPeer> selecting(Function<String, List<AuthorizedPeer>> byKey, ReflectorInstance instance) {
        return candidates(byKey, instance)
                .filter(p -> PeerSelection.appliesTo(p, instance))
                .sorted(Comparator.comparing(p -> p.getMetadata().getName()))
                .toList();
    }

    private static String namedKey(String namespace, String name) {
        return namespace + "/ref:" + name;
    }

    private static String selectorKey(String namespace) {
        return namespace + "/selector";
    }
}
