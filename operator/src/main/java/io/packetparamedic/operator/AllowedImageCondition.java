package io.packetparamedic.operator;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.packetparamedic.api.crd.ReflectorInstance;

/**
 * The Deployment runs only an allowed image ({@link ImagePolicy}); otherwise it is not created,
 * or deleted when the image or the allowed list changes, and the instance reports Degraded.
 */
public class AllowedImageCondition implements Condition<Deployment, ReflectorInstance> {
    @Override
    public boolean isMet(
            DependentResource<Deployment, ReflectorInstance> dependent,
            ReflectorInstance instance,
            Context<ReflectorInstance> context) {
        return ImagePolicy.refusal(EffectiveSpec.of(instance)).isEmpty();
    }
}
