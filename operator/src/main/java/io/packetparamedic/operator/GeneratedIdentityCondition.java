package io.packetparamedic.operator;

import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.packetparamedic.api.crd.ReflectorInstance;

/** The operator generates the identity unless the spec names an existing Secret. */
public class GeneratedIdentityCondition implements Condition<Secret, ReflectorInstance> {
    @Override
    public boolean isMet(
            DependentResource<Secret, ReflectorInstance> dependent,
            ReflectorInstance instance,
            Context<ReflectorInstance> context) {
        return EffectiveSpec.of(instance).existingIdentitySecret().isEmpty();
    }
}
