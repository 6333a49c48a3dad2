package io.packetparamedic.operator;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.packetparamedic.api.crd.ReflectorInstance;

/** The per-node Deployments' precondition: a PerNode instance with an allowed image (generated identities are always usable). */
public class PerNodeDeployableCondition implements Condition<Deployment, ReflectorInstance> {
    private final AllowedImageCondition image = new AllowedImageCondition();

    @Override
    public boolean isMet(
            DependentResource<Deployment, ReflectorInstance> dependent,
            ReflectorInstance instance,
            Context<ReflectorInstance> context) {
        return FleetPlacement.perNode(instance) && image.isMet(dependent, instance, context);
    }
}
