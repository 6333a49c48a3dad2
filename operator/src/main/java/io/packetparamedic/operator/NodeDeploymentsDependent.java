package io.packetparamedic.operator;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.BulkDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.packetparamedic.api.crd.ReflectorInstance;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * PerNode: one reflector Deployment per node in the placement ({@link FleetPlacement}), keyed by
 * node name and pinned to it ({@link ReflectorDeploymentDependent#deployment}). One Deployment per
 * node rather than a DaemonSet because each pod needs its own identity Secret, which a DaemonSet's
 * single pod template cannot name, and because a node that leaves must keep its pod through a
 * grace period (and while it runs sessions), which a DaemonSet would delete at once. JOSDK
 * deletes the Deployments of nodes no longer in the placement.
 */
@KubernetesDependent(informer = @Informer(labelSelector = Names.NODE_DEPLOYMENTS))
public class NodeDeploymentsDependent extends CRUDKubernetesDependentResource<Deployment, ReflectorInstance>
        implements BulkDependentResource<Deployment, ReflectorInstance> {

    public static final String NAME = "node-deployments";

    public NodeDeploymentsDependent() {
        super(Deployment.class);
    }

    @Override
    public Map<String, Deployment> desiredResources(ReflectorInstance instance, Context<ReflectorInstance> context) {
        Map<String, Deployment> desired = new LinkedHashMap<>();
        List<String> nodes = InstanceInputs.placement(instance, context).names();
        Names.requireDistinctSlots(nodes);
        for (String node : nodes) {
            desired.put(node, ReflectorDeploymentDependent.deployment(instance, Optional.of(node)));
        }
        return desired;
    }

    @Override
    public Map<String, Deployment> getSecondaryResources(
            ReflectorInstance instance, Context<ReflectorInstance> context) {
        return InstanceInputs.byNode(eventSource().orElseThrow().getSecondaryResources(instance));
    }
}
