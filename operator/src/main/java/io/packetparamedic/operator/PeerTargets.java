package io.packetparamedic.operator;

import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which ReflectorInstances each AuthorizedPeer was last mapped to. JOSDK maps a changed peer
 * through its new state only: a peer moved from instance A to B (its reflectorRef or selector
 * changed) reached B at once but stayed in A's config — still authorized there — until A's
 * periodic reconcile, up to five minutes later. The instance controller's mapper answers the old
 * targets with the new ones; a peer gone from the cache (deleted) answers its old targets and is
 * forgotten, so the map holds one entry per cached peer that targets anything.
 */
final class PeerTargets {

    private final Map<ResourceID, Set<ResourceID>> last = new ConcurrentHashMap<>();

    /**
     * @param now the instances the peer's current state targets
     * @param cached whether the peer is still in the informer's cache (false once deleted)
     * @return the instances to reconcile: {@code now} and those it targeted before
     */
    Set<ResourceID> update(ResourceID peer, Set<ResourceID> now, boolean cached) {
        Set<ResourceID> before = cached && !now.isEmpty() ? last.put(peer, Set.copyOf(now)) : last.remove(peer);
        if (before == null || now.containsAll(before)) return now;
        Set<ResourceID> both = new HashSet<>(now);
        both.addAll(before);
        return both;
    }

    int size() {
        return last.size();
    }
}
