package io.packetparamedic.operator;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import io.packetparamedic.api.crd.AuthorizedPeer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * An informer store for AuthorizedPeers that keeps lean copies: without managedFields (several
 * field managers per peer — the operator, the reflector pods, whoever applied the spec — often
 * more bytes than the rest of the peer, and read by nothing here) and, for a cache that only
 * renders configs ({@link SpecOnly}), without the status either. With thousands of peers cached
 * twice (the peer controller's own cache and the instance controller's), this is most of the
 * operator's heap. The informer hands the full object to the event handlers; only what stays
 * in memory is trimmed.
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

    /** A copy sharing the spec (and the status when kept) without managedFields; the original is left alone. */
    static AuthorizedPeer lean(AuthorizedPeer peer, boolean keepStatus) {
        AuthorizedPeer copy = new AuthorizedPeer();
        copy.setApiVersion(peer.getApiVersion());
        copy.setKind(peer.getKind());
        ObjectMeta meta = peer.getMetadata() == null ? null : new ObjectMetaBuilder(peer.getMetadata()).build();
        if (meta != null) meta.setManagedFields(null);
        copy.setMetadata(meta);
        copy.setSpec(peer.getSpec());
        copy.setStatus(keepStatus ? peer.getStatus() : null);
        return copy;
    }

    @Override
    public String getKey(AuthorizedPeer peer) {
        return Cache.metaNamespaceKeyFunc(peer);
    }

    @Override
    public AuthorizedPeer put(String key, AuthorizedPeer peer) {
        return peers.put(key, lean(peer, keepStatus));
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
