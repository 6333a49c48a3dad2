package io.packetparamedic.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.BulkDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.packetparamedic.api.crd.Labels;
import io.packetparamedic.api.crd.ReflectorInstance;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One object per node of a PerNode instance's placement, keyed by node name (the objects'
 * {@code packetparamedic.io/node} annotation): JOSDK creates those of joining nodes and deletes
 * those of nodes no longer placed. Every per-node dependent reads the one placement of the
 * reconcile ({@link InstanceInputs#placement}), so they never disagree about which nodes exist.
 */
abstract class PerNodeDependent<R extends HasMetadata> extends CRUDKubernetesDependentResource<R, ReflectorInstance>
        implements BulkDependentResource<R, ReflectorInstance> {

    PerNodeDependent(Class<R> type) {
        super(type);
    }

    /** The object for one placed node. */
    abstract R forNode(ReflectorInstance instance, String node, Context<ReflectorInstance> context);

    @Override
    public Map<String, R> desiredResources(ReflectorInstance instance, Context<ReflectorInstance> context) {
        List<String> nodes = InstanceInputs.placement(instance, context).names();
        Names.requireDistinctSlots(nodes);
        Map<String, R> desired = new LinkedHashMap<>();
        for (String node : nodes) desired.put(node, forNode(instance, node, context));
        return desired;
    }

    /** A node's ServiceAccount, Role and RoleBinding share the name of its Deployment. */
    static ObjectMeta rbacMetadata(ReflectorInstance instance, String node) {
        return new ObjectMetaBuilder()
                .withName(Names.nodeReflector(instance, node))
                .withNamespace(instance.getMetadata().getNamespace())
                .withLabels(Names.nodeLabels(instance, Names.COMPONENT_RBAC, node))
                // Mutable: JOSDK edits the desired object's annotations when matching.
                .withAnnotations(new HashMap<>(Map.of(Labels.NODE, node)))
                .build();
    }

    @Override
    public Map<String, R> getSecondaryResources(ReflectorInstance instance, Context<ReflectorInstance> context) {
        return InstanceInputs.byNode(eventSource().orElseThrow().getSecondaryResources(instance));
    }
}
