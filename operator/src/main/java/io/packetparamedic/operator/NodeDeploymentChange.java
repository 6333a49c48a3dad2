package io.packetparamedic.operator;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;
import io.packetparamedic.api.crd.Labels;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Which updates of a per-node Deployment reconcile its fleet: a fleet's status needs only that the
 * Deployment exists (creations and deletions always pass), and re-applying it matters only when
 * what the operator applied may have been changed (the spec, which moves the generation, or the
 * labels, the operator's annotations and owners). The Deployment controller's status writes (replica counts,
 * conditions; several per Deployment while its pod is pending) change neither, and with ten
 * nodes per fleet each one would cost a whole fleet reconcile.
 */
public class NodeDeploymentChange implements OnUpdateFilter<Deployment> {

    @Override
    public boolean accept(Deployment updated, Deployment old) {
        return !Objects.equals(decidedOn(updated), decidedOn(old));
    }

    private static List<Object> decidedOn(Deployment d) {
        ObjectMeta m = d.getMetadata();
        if (m == null) return null;
        return Arrays.asList(
                m.getGeneration(),
                m.getLabels(),
                ours(m.getAnnotations()),
                m.getOwnerReferences(),
                m.getDeletionTimestamp());
    }

    /**
     * The operator's annotations only: the Deployment controller annotates each Deployment with
     * its revision when it makes the ReplicaSet, which would otherwise reconcile every fleet once
     * per node just after the Deployments were created.
     */
    private static Map<String, String> ours(Map<String, String> annotations) {
        if (annotations == null) return Map.of();
        Map<String, String> ours = new TreeMap<>();
        annotations.forEach((k, v) -> {
            if (k.startsWith(Labels.GROUP + "/")) ours.put(k, v);
        });
        return ours;
    }
}
