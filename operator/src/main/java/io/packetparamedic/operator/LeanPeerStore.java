package io.packetparamedic.operator;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import io.packetparamedic.api.crd.AuthorizedPeer;
import io.packetparamedic.api.crd.AuthorizedPeerStatus;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * An informer store for AuthorizedPeers that keeps them lean: without managedFields (several
 * field managers per peer — the operator, the reflector pods, whoever applied the spec — often
 * more bytes than the rest of the peer, and read by nothing here), with the strings that repeat
 * across thousands of peers (namespace, creation time, the instance a peer names, condition
 * types, reasons, messages and times) shared, empty maps and lists replaced by the immutable
 * empty ones (the model allocates six per object), and, for a cache that only renders configs ({@link SpecOnly}),
 * without the status. With 10,000 peers cached twice (the peer controller's own cache and the
 * instance controller's), peers are most of the operator's heap, and a heap near its limit
 * costs more CPU in collections than the reconciles themselves.
 *
 * <p>The peer is trimmed in place rather than copied: the informer deserialized it for this
 * store alone, its event handlers (JOSDK's, which map it to the resources to reconcile) read
 * only metadata and spec, and a copy would construct a second custom resource per watch event.
 */
public class LeanPeerStore implements ItemStore<AuthorizedPeer> {

    private final Map<String, AuthorizedPeer> peers = new ConcurrentHashMap<>();
    private final boolean keepStatus;

    /** Keeps the status: the peer controller's own cache (its reconcile compares with the status). */
    public LeanPeerStore() {
        this(true);
    }

    LeanPeerStore(boolean keepStatus) {
        this.keepStatus = keepStatus;
    }

    /** Spec and metadata only: the instance controller reads which peers select it, never their status. */
    public static class SpecOnly extends LeanPeerStore {
        public SpecOnly() {
            super(false);
        }
    }

    /** The peer without managedFields (and without status unless kept), its repeated strings shared. */
    static AuthorizedPeer trim(AuthorizedPeer peer, boolean keepStatus) {
        ObjectMeta meta = peer.getMetadata();
        if (meta != null) {
            meta.setManagedFields(null);
            meta.setNamespace(shared(meta.getNamespace()));
            // Peers are created in bursts: thousands share a second.
            meta.setCreationTimestamp(shared(meta.getCreationTimestamp()));
            // The model allocates every map and list up front; most stay empty on a peer.
            if (isEmpty(meta.getAnnotations())) meta.setAnnotations(Map.of());
            if (isEmpty(meta.getLabels())) meta.setLabels(Map.of());
            if (isEmpty(meta.getAdditionalProperties())) meta.setAdditionalProperties(Map.of());
            if (meta.getFinalizers() != null && meta.getFinalizers().isEmpty()) meta.setFinalizers(List.of());
            if (meta.getOwnerReferences() != null && meta.getOwnerReferences().isEmpty())
                meta.setOwnerReferences(List.of());
        }
        if (peer.getSpec() != null && peer.getSpec().reflectorRef != null) {
            peer.getSpec().reflectorRef.name = shared(peer.getSpec().reflectorRef.name);
        }
        if (!keepStatus) {
            peer.setStatus(null);
        } else if (peer.getStatus() != null) {
            share(peer.getStatus());
        }
        return peer;
    }

    private static void share(AuthorizedPeerStatus s) {
        if (s.conditions != null) {
            for (Condition c : s.conditions) {
                c.setType(shared(c.getType()));
                c.setStatus(shared(c.getStatus()));
                c.setReason(shared(c.getReason()));
                c.setMessage(shared(c.getMessage()));
                c.setLastTransitionTime(shared(c.getLastTransitionTime()));
                if (isEmpty(c.getAdditionalProperties())) c.setAdditionalProperties(Map.of());
            }
        }
        if (s.reflectors != null)
            s.reflectors = s.reflectors.stream().map(LeanPeerStore::shared).toList();
        s.pairedVia = shared(s.pairedVia);
    }

    private static boolean isEmpty(Map<?, ?> map) {
        return map != null && map.isEmpty();
    }

    /** The JVM's string table: one copy per distinct value, released when no peer uses it any more. */
    private static String shared(String s) {
        return s == null ? null : s.intern();
    }

    @Override
    public String getKey(AuthorizedPeer peer) {
        return Cache.metaNamespaceKeyFunc(peer);
    }

    @Override
    public AuthorizedPeer put(String key, AuthorizedPeer peer) {
        return peers.put(key, trim(peer, keepStatus));
    }

    @Override
    public AuthorizedPeer remove(String key) {
        return peers.remove(key);
    }

    @Override
    public Stream<String> keySet() {
        return peers.keySet().stream();
    }

    @Override
    public AuthorizedPeer get(String key) {
        return peers.get(key);
    }

    @Override
    public Stream<AuthorizedPeer> values() {
        return peers.values().stream();
    }

    @Override
    public int size() {
        return peers.size();
    }
}
