package io.packetparamedic.operator;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.packetparamedic.api.crd.AuthorizedPeer;
import io.packetparamedic.api.crd.ReflectorInstance;
import io.packetparamedic.api.identity.EndpointId;
import io.packetparamedic.api.time.Rfc3339;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** Which AuthorizedPeers apply to which ReflectorInstances, and which are in effect now. */
public final class PeerSelection {

    private PeerSelection() {}

    /** Whether the peer names this instance (reflectorRef) or selects it (reflectorSelector). */
    public static boolean appliesTo(AuthorizedPeer peer, ReflectorInstance instance) {
        if (peer.getSpec() == null) return false;
        if (!Objects.equals(
                peer.getMetadata().getNamespace(), instance.getMetadata().getNamespace())) return false;
        if (peer.getSpec().reflectorRef != null) {
            return Objects.equals(
                    peer.getSpec().reflectorRef.name, instance.getMetadata().getName());
        }
        return peer.getSpec().reflectorSelector != null
                && matches(
                        peer.getSpec().reflectorSelector, instance.getMetadata().getLabels());
    }

    /** Kubernetes label selector semantics; an empty selector matches everything. */
    public static boolean matches(LabelSelector selector, Map<String, String> labels) {
        Map<String, String> l = labels == null ? Map.of() : labels;
        if (selector.getMatchLabels() != null) {
            for (var e : selector.getMatchLabels().entrySet()) {
                if (!Objects.equals(l.get(e.getKey()), e.getValue())) return false;
            }
        }
        if (selector.getMatchExpressions() != null) {
            for (LabelSelectorRequirement r : selector.getMatchExpressions()) {
                List<String> values = r.getValues() == null ? List.of() : r.getValues();
                boolean has = l.containsKey(r.getKey());
                boolean ok = switch (r.getOperator()) {
                    case "In" -> has && values.contains(l.get(r.getKey()));
                    case "NotIn" -> !has || !values.contains(l.get(r.getKey()));
                    case "Exists" -> has;
                    case "DoesNotExist" -> !has;
                    default -> false;
                };
                if (!ok) return false;
            }
        }
        return true;
    }

    /** The canonical Endpoint ID, or empty when the check symbol (or anything else) is wrong. */
    public static Optional<EndpointId> endpointId(AuthorizedPeer peer) {
        return PeerEndpoint.of(peer).id();
    }

    public static Optional<Instant> expiresAt(AuthorizedPeer peer) {
        return peer.getSpec() == null ? Optional.empty() : Rfc3339.tryParse(peer.getSpec().expiresAt);
    }

    public static boolean disabled(AuthorizedPeer peer) {
        return peer.getSpec() != null && Boolean.TRUE.equals(peer.getSpec().disabled);
    }

    public static boolean expired(AuthorizedPeer peer, Instant now) {
        return expiresAt(peer).map(t -> !t.isAfter(now)).orElse(false);
    }

    /** Valid, enabled and unexpired: the peer belongs in a reflector's config (empty otherwise). */
    public static Optional<PeerInEffect> inEffect(AuthorizedPeer peer, Instant now) {
        if (disabled(peer) || expired(peer, now)) return Optional.empty();
        return endpointId(peer).map(id -> new PeerInEffect(peer, id));
    }
}
