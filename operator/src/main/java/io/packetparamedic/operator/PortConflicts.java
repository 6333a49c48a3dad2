package io.packetparamedic.operator;

import io.packetparamedic.api.crd.ReflectorInstance;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Host ports are node-wide: two hostNetwork instances that may land on the same node must not
 * overlap in control, health or data ports. "May share a node" is decided from the node
 * selectors only (two selectors that disagree on a key exclude each other); affinities and
 * taints are not evaluated, so the check errs on the side of reporting.
 */
public final class PortConflicts {

    private PortConflicts() {}

    public static List<String> with(ReflectorInstance self, Stream<ReflectorInstance> others) {
        EffectiveSpec a = EffectiveSpec.of(self);
        if (!a.hostNetwork()) return List.of();
        return others
                .filter(o -> !(Objects.equals(o.getMetadata().getNamespace(), self.getMetadata().getNamespace())
                        && Objects.equals(o.getMetadata().getName(), self.getMetadata().getName())))
                .filter(o -> o.getMetadata().getDeletionTimestamp() == null)
                .filter(o -> conflict(a, EffectiveSpec.of(o)))
                .map(Names::key)
                .sorted()
                .toList();
    }

    static boolean conflict(EffectiveSpec a, EffectiveSpec b) {
        if (!b.hostNetwork() || !mayShareNode(a.nodeSelector(), b.nodeSelector())) return false;
        int[][] pa = ports(a);
        int[][] pb = ports(b);
        for (int[] x : pa) {
            for (int[] y : pb) {
                if (x[0] <= y[1] && y[0] <= x[1]) return true;
            }
        }
        return false;
    }

    static boolean mayShareNode(Map<String, String> a, Map<String, String> b) {
        return a.entrySet().stream().noneMatch(e -> b.containsKey(e.getKey()) && !b.get(e.getKey()).equals(e.getValue()));
    }

    private static int[][] ports(EffectiveSpec s) {
        return new int[][] {{s.controlPort(), s.controlPort()}, {s.healthPort(), s.healthPort()},
                {s.dataPortStart(), s.dataPortEnd()}};
    }
}
