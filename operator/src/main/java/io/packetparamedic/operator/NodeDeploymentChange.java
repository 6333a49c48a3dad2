package io.packetparamedic.operator;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Which updates of a per-node Deployment reconcile its fleet: a fleet's status needs only that the
 * Deployment exists (creations and deletions always pass), and re-applying it matters only when
 * what the operator applied may have been changed (the spec, which moves the generation, or the
 * labels, annotations and owners). The Deployment controller's status writes (replica counts,
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
                m.getGeneration(), m.getLabels(), m.getAnnotations(), m.getOwnerReferences(), m.getDeletionTimestamp());
    }
}
