package io.packetparamedic.operator;

import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.packetparamedic.api.crd.PairingWindow;
import io.packetparamedic.api.crd.PairingWindowStatus;

/**
 * The operator holds a generated code while the window is open (or about to open) and none was
 * supplied, and only once the ReflectorInstance it names exists: a code for a reflector that
 * does not exist would be handed out dead.
 */
public class GeneratedCodeCondition implements Condition<Secret, PairingWindow> {
    @Override
    public boolean isMet(
            DependentResource<Secret, PairingWindow> dependent, PairingWindow window, Context<PairingWindow> context) {
        PairingWindowStatus.Phase phase = window.getStatus() == null ? null : window.getStatus().phase;
        return window.getSpec() != null
                && window.getSpec().codeSecretRef == null
                && (phase == null
                        || phase == PairingWindowStatus.Phase.Open
                        || phase == PairingWindowStatus.Phase.Pending)
                && PairingWindowReconciler.reflector(window, context).isPresent();
    }
}
