package io.packetparamedic.operator;

import io.packetparamedic.api.crd.ReflectorInstance;
import io.packetparamedic.api.time.Rfc3339;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Host ports are node-wide: two hostNetwork instances that may land on the same node must not
 * overlap in control, health or data ports. "May share a node" is decided from the node
 * selectors only (two selectors that disagree on a key exclude each other); affinities and
 * taints are not evaluated, so the check errs on the side of reporting.
 *
 * <p>Only the newcomer is at fault: of two overlapping instances, the one created later (by
 * creationTimestamp, then namespace/name) reports the conflict; the one that was there first
 * keeps running and stays healthy.
 */
public final class PortConflicts {

    /** One overlap: the instance that was there first, the first shared port and where they meet. */
    public record Conflict(String other, int port, String where) {
        public String describe() {
            return "host port " + port + " is already used by ReflectorInstance " + other + " on " + where;
        }
    }

    /** Older first: the order in which instances claimed their ports. */
    static final Comparator<ReflectorInstance> SENIORITY =
            Comparator.comparing((ReflectorInstance i) -> created(i)).thenComparing(Names::key);

    private PortConflicts() {}

    /** The overlaps as one line, for a condition message or an Event. */
    public static String describe(List<Conflict> conflicts) {
        return conflicts.stream().map(Conflict::describe).collect(Collectors.joining("; "));
    }

    /** The overlaps that make {@code self} the newcomer, sorted by the other instance's key. */
    public static List<Conflict> with(ReflectorInstance self, Stream<ReflectorInstance> others) {
        EffectiveSpec a = EffectiveSpec.of(self);
        if (!a.hostNetwork()) return List.of();
        return others.filter(o -> !Names.key(o).equals(Names.key(self)))
                .filter(o -> o.getMetadata().getDeletionTimestamp() == null)
                .filter(o -> SENIORITY.compare(o, self) < 0)
                .flatMap(o -> {
                    EffectiveSpec b = EffectiveSpec.of(o);
                    return firstSharedPort(a, b).map(p -> new Conflict(Names.key(o), p, where(a, b))).stream();
                })
                .sorted(Comparator.comparing(Conflict::other))
                .toList();
    }

    static boolean conflict(EffectiveSpec a, EffectiveSpec b) {
        return firstSharedPort(a, b).isPresent();
    }

    /** The lowest port both would bind on a node they may share. */
    static Optional<Integer> firstSharedPort(EffectiveSpec a, EffectiveSpec b) {
        if (!a.hostNetwork() || !b.hostNetwork() || !mayShareNode(a.nodeSelector(), b.nodeSelector()))
            return Optional.empty();
        Optional<Integer> lowest = Optional.empty();
        for (int[] x : ports(a)) {
            for (int[] y : ports(b)) {
                int from = Math.max(x[0], y[0]);
                if (from <= Math.min(x[1], y[1]) && lowest.map(l -> from < l).orElse(true)) lowest = Optional.of(from);
            }
        }
        return lowest;
    }

    static boolean mayShareNode(Map<String, String> a, Map<String, String> b) {
        return a.entrySet().stream()
                .noneMatch(e -> b.containsKey(e.getKey()) && !b.get(e.getKey()).equals(e.getValue()));
    }

    /** The nodes both may run on, as a person reads it: the union of the two node selectors. */
    static String where(EffectiveSpec a, EffectiveSpec b) {
        Map<String, String> both = new TreeMap<>(a.nodeSelector());
        both.putAll(b.nodeSelector());
        if (both.isEmpty()) return "any node";
        String labels = both.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(","));
        return both.size() == 1 && both.containsKey("kubernetes.io/hostname")
                ? "node " + both.get("kubernetes.io/hostname")
                : "nodes labelled " + labels;
    }

    private static Instant created(ReflectorInstance i) {
        String t = i.getMetadata().getCreationTimestamp();
        // Not yet created (never the case for informer objects): the newest of all.
        return t == null ? Instant.MAX : Rfc3339.parse(t);
    }

    private static int[][] ports(EffectiveSpec s) {
        return new int[][] {
            {s.controlPort(), s.controlPort()}, {s.healthPort(), s.healthPort()}, {s.dataPortStart(), s.dataPortEnd()}
        };
    }
}
