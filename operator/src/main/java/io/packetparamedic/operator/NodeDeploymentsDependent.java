package io.packetparamedic.operator;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.packetparamedic.api.crd.ReflectorInstance;
import java.util.Optional;

/**
 * PerNode: one reflector Deployment per node in the placement ({@link FleetPlacement}), keyed by
 * node name and pinned to it ({@link ReflectorDeploymentDependent#deployment}). One Deployment per
 * node rather than a DaemonSet because each pod needs its own identity Secret, which a DaemonSet's
 * single pod template cannot name, and because a node that leaves must keep its pod through a
 * grace period (and while it runs sessions), which a DaemonSet would delete at once. JOSDK
 * deletes the Deployments of nodes no longer in the placement.
 */
// Only updates that change what the operator decides reconcile the fleet (NodeDeploymentChange).
@KubernetesDependent(
        informer = @Informer(labelSelector = Names.NODE_OBJECTS, onUpdateFilter = NodeDeploymentChange.class))
public class NodeDeploymentsDependent extends PerNodeDependent<Deployment> {

    public static final String NAME = "node-deployments";

    public NodeDeploymentsDependent() {
        super(Deployment.class);
    }

    @Override
    Deployment forNode(ReflectorInstance instance, String node, Context<ReflectorInstance> context) {
        return ReflectorDeploymentDependent.deployment(instance, Optional.of(node));
    }
}
