package io.packetparamedic.operator;

import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.packetparamedic.api.crd.ReflectorInstance;

/**
 * The operator generates the identity unless the spec names an existing Secret. A PerNode
 * instance serves per-node identities: it gets no instance identity, but one it had as a Single
 * instance is kept (not deleted), so that switching back serves the same Endpoint ID again.
 */
public class GeneratedIdentityCondition implements Condition<Secret, ReflectorInstance> {
    @Override
    public boolean isMet(
            DependentResource<Secret, ReflectorInstance> dependent,
            ReflectorInstance instance,
            Context<ReflectorInstance> context) {
        if (!EffectiveSpec.of(instance).existingIdentitySecret().isEmpty()) return false;
        return !FleetPlacement.perNode(instance)
                || context.getSecondaryResource(Secret.class, IdentitySecretDependent.NAME)
                        .isPresent();
    }
}
