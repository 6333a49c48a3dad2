package io.packetparamedic.operator;

import io.packetparamedic.api.config.ReflectorConfig;
import io.packetparamedic.api.crd.NodeStatus;
import io.packetparamedic.api.crd.ReflectorInstance;
import java.util.Comparator;
import java.util.List;

/**
 * The {@code [fleet] members} every node's reflector gets in the shared config: the instance's
 * status.nodes as the operator last wrote them, reduced to what an appliance needs to pick
 * another node (Endpoint ID, address, ready). Session counts are left out on purpose: they change
 * with every test, and each change would rewrite the config of every node (and make the
 * instance's peers count as not yet live until every node re-applied it). Readiness and
 * addresses change only when a node joins, leaves or goes stale, and they do not depend on the
 * config, so status → config → status settles after one round.
 */
final class FleetMembers {

    private FleetMembers() {}

    /** Nodes that are placed (not leaving) and have an identity and an address; sorted by node name. */
    static List<ReflectorConfig.FleetMember> of(ReflectorInstance instance) {
        if (!FleetPlacement.perNode(instance) || instance.getStatus() == null || instance.getStatus().nodes == null)
            return List.of();
        return instance.getStatus().nodes.stream()
                .filter(n -> n.leftAt == null && n.endpointId != null && n.address != null)
                .sorted(Comparator.comparing((NodeStatus n) -> n.node))
                .map(n -> new ReflectorConfig.FleetMember(n.endpointId, n.address, Boolean.TRUE.equals(n.ready)))
                .toList();
    }
}
