package io.packetparamedic.operator;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.packetparamedic.api.crd.ReflectorInstance;

/**
 * The Deployment's precondition: a Single instance, an allowed image and a usable identity
 * (checked in that order). A PerNode instance runs per-node Deployments instead, so its single
 * one is deleted.
 */
public class DeployableCondition implements Condition<Deployment, ReflectorInstance> {
    private final AllowedImageCondition image = new AllowedImageCondition();
    private final UsableIdentityCondition identity = new UsableIdentityCondition();

    @Override
    public boolean isMet(
            DependentResource<Deployment, ReflectorInstance> dependent,
            ReflectorInstance instance,
            Context<ReflectorInstance> context) {
        return !FleetPlacement.perNode(instance)
                && image.isMet(dependent, instance, context)
                && identity.isMet(dependent, instance, context);
    }
}
