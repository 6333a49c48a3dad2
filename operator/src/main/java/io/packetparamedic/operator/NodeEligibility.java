package io.packetparamedic.operator;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import io.packetparamedic.api.crd.Placement;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Whether a node gets a reflector of a PerNode instance: Ready, schedulable, carrying the
 * placement's labels, and with no NoSchedule/NoExecute taint the placement does not tolerate —
 * the questions the scheduler would ask, answered before a Deployment exists, so that a node
 * that cannot run the pod gets no identity either. PreferNoSchedule taints do not exclude a node.
 */
final class NodeEligibility {

    private NodeEligibility() {}

    static boolean eligible(Node node, Placement placement) {
        return ready(node)
                && schedulable(node)
                && labelsMatch(node, placement.nodeSelector)
                && tolerated(node, placement.tolerations == null ? List.of() : placement.tolerations);
    }

    static boolean ready(Node node) {
        return node.getStatus() != null
                && node.getStatus().getConditions() != null
                && node.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    static boolean schedulable(Node node) {
        return node.getSpec() == null || !Boolean.TRUE.equals(node.getSpec().getUnschedulable());
    }

    static boolean labelsMatch(Node node, Map<String, String> selector) {
        if (selector == null || selector.isEmpty()) return true;
        Map<String, String> labels = node.getMetadata().getLabels();
        return labels != null
                && selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
    }

    static boolean tolerated(Node node, List<Toleration> tolerations) {
        List<Taint> taints = node.getSpec() == null || node.getSpec().getTaints() == null
                ? List.of()
                : node.getSpec().getTaints();
        return taints.stream()
                .filter(t -> "NoSchedule".equals(t.getEffect()) || "NoExecute".equals(t.getEffect()))
                .allMatch(t -> tolerations.stream().anyMatch(tol -> tolerates(tol, t)));
    }

    /** The Kubernetes rule (k8s.io/api core/v1 Toleration.ToleratesTaint). */
    static boolean tolerates(Toleration toleration, Taint taint) {
        String effect = toleration.getEffect();
        if (effect != null && !effect.isEmpty() && !effect.equals(taint.getEffect())) return false;
        String key = toleration.getKey();
        if (key != null && !key.isEmpty() && !key.equals(taint.getKey())) return false;
        if ("Exists".equals(toleration.getOperator())) return true;
        // Equal (the default); an empty key only makes sense with Exists.
        if (key == null || key.isEmpty()) return false;
        return Objects.equals(emptyIfNull(toleration.getValue()), emptyIfNull(taint.getValue()));
    }

    /** What of a node decides placement and a node's status entry: a change in anything else (its heartbeats) is no event. */
    static List<Object> placementFacts(Node node) {
        return java.util.Arrays.asList(
                node.getMetadata().getLabels(),
                node.getSpec() == null ? null : node.getSpec().getTaints(),
                schedulable(node),
                ready(node),
                internalIp(node));
    }

    /** The node's InternalIP, where a hostNetwork reflector on it is reached. */
    static Optional<String> internalIp(Node node) {
        if (node.getStatus() == null || node.getStatus().getAddresses() == null) return Optional.empty();
        return node.getStatus().getAddresses().stream()
                .filter(a -> "InternalIP".equals(a.getType()))
                .map(NodeAddress::getAddress)
                .findFirst();
    }

    private static String emptyIfNull(String s) {
        return s == null ? "" : s;
    }
}
