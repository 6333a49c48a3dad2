package io.packetparamedic.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.packetparamedic.api.crd.ReflectorInstance;

/**
 * The per-node dependents exist only for PerNode instances: for a Single instance (or one switched
 * back to Single) JOSDK deletes whatever per-node objects it finds, which for an instance that was
 * never PerNode is nothing, so a Single instance's objects and API calls stay as they were.
 */
public class PerNodeCondition implements Condition<HasMetadata, ReflectorInstance> {
    @Override
    public boolean isMet(
            DependentResource<HasMetadata, ReflectorInstance> dependent,
            ReflectorInstance instance,
            Context<ReflectorInstance> context) {
        return FleetPlacement.perNode(instance);
    }
}
