package io.packetparamedic.operator;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.packetparamedic.api.crd.ReflectorInstance;

/**
 * The Deployment runs only with a usable identity: a user-supplied Secret that is missing or not
 * 32 bytes would make the pod crash-loop, so the instance reports Degraded instead.
 */
public class UsableIdentityCondition implements Condition<Deployment, ReflectorInstance> {
    @Override
    public boolean isMet(
            DependentResource<Deployment, ReflectorInstance> dependent,
            ReflectorInstance instance,
            Context<ReflectorInstance> context) {
        return IdentityResolver.usable(instance, context.getClient());
    }
}
