package io.packetparamedic.operator;

import io.packetparamedic.api.crd.NodeReport;
import io.packetparamedic.api.crd.ReflectorInstance;
import io.packetparamedic.api.crd.ReflectorInstanceStatus;
import java.util.List;
import java.util.Objects;

/**
 * The digest of the reflector.toml an instance's reflectors serve, as they report it: the pod's
 * status.appliedConfigHash for a Single instance; for a PerNode fleet the digest every node the
 * placement wants reports (leaving nodes aside), and none while they differ. So a peer or a
 * pairing code counts as live on a fleet only once it is live on every node.
 */
final class AppliedConfigHash {

    private AppliedConfigHash() {}

    static String of(ReflectorInstance instance) {
        ReflectorInstanceStatus s = instance.getStatus();
        if (s == null) return null;
        if (!FleetPlacement.perNode(instance)) return s.appliedConfigHash;
        if (s.nodes == null || s.nodeReports == null) return null;
        List<String> hashes = s.nodes.stream()
                .filter(n -> n.leftAt == null)
                .map(n -> n.node)
                .map(node -> {
                    NodeReport r = s.nodeReports.get(node);
                    return r == null ? null : r.appliedConfigHash;
                })
                .distinct()
                .toList();
        return hashes.size() == 1 && Objects.nonNull(hashes.get(0)) ? hashes.get(0) : null;
    }
}
