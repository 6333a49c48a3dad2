package io.packetparamedic.operator;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.javaoperatorsdk.operator.processing.event.source.filter.GenericFilter;
import io.packetparamedic.api.crd.AuthorizedPeer;
import io.packetparamedic.api.crd.AuthorizedPeerStatus;
import java.util.List;
import java.util.Map;

/**
 * Keeps the operator's cached AuthorizedPeers lean: without managedFields (several field managers
 * per peer — the operator, the reflector pods, whoever applied the spec — often more bytes than the
 * rest of the peer, and read by nothing here), with the strings that repeat across thousands of
 * peers (namespace, creation time, the instance a peer names, condition types, reasons, messages
 * and times) shared, empty maps and lists replaced by the immutable empty ones (the model
 * allocates six per object), and, for the cache that only renders configs ({@link SpecOnly}),
 * without the status. With 10,000 peers cached twice (the peer controller's own cache and the
 * instance controller's), peers are most of the operator's heap, and a heap near its limit costs
 * more CPU in collections than the reconciles themselves.
 *
 * <p>Installed as each peer informer's generic filter, which JOSDK calls first on every event with
 * the object the informer has just cached: the peer is trimmed in place there, rather than copied
 * into a store of our own. A store would be one instance shared by the informer of every watched
 * namespace (JOSDK hands each the same one), and a relist in one namespace would then drop every
 * other namespace's peers from it. Trimming in place is safe for readers of the cache: nothing
 * here reads managedFields, the spec-only cache's readers never read the status, and the other
 * replacements are equal values.
 */
public final class LeanPeers {

    private LeanPeers() {}

    /** The peer controller's own cache: keeps the status (its reconcile compares with the status). */
    public static class KeepStatus implements GenericFilter<AuthorizedPeer> {
        @Override
        public boolean accept(AuthorizedPeer peer) {
            trim(peer, true);
            return true;
        }
    }

    /** Spec and metadata only: the instance controller reads which peers select it, never their status. */
    public static class SpecOnly implements GenericFilter<AuthorizedPeer> {
        @Override
        public boolean accept(AuthorizedPeer peer) {
            trim(peer, false);
            return true;
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
            s.reflectors = s.reflectors.stream().map(LeanPeers::shared).toList();
        s.pairedVia = shared(s.pairedVia);
    }

    private static boolean isEmpty(Map<?, ?> map) {
        return map != null && map.isEmpty();
    }

    /** The JVM's string table: one copy per distinct value, released when no peer uses it any more. */
    private static String shared(String s) {
        return s == null ? null : s.intern();
    }
}
