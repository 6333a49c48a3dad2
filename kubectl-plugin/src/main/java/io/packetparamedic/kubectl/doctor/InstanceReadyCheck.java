package io.packetparamedic.kubectl.doctor;

import io.packetparamedic.api.crd.ReflectorInstance;
import io.packetparamedic.kubectl.Instances;
import java.util.List;

/** Instances that are not Ready, with the operator's reason: a warning, since one may be starting. */
final class InstanceReadyCheck implements Check {

    static final String NAME = "instances";

    @Override
    public List<Finding> run(Scope scope) {
        if (scope.instancesUnavailable().isPresent())
            return List.of(Finding.warn(
                    NAME, "not checked: " + scope.instancesUnavailable().get()));
        List<ReflectorInstance> notReady = scope.instances().stream()
                .filter(ri -> ri.getStatus() == null || !Instances.isTrue(ri.getStatus().conditions, "Ready"))
                .toList();
        if (notReady.isEmpty()) {
            return List.of(Finding.ok(
                    NAME, scope.instances().size() + " ReflectorInstance(s) in " + scope.where() + ", all Ready"));
        }
        return notReady.stream()
                .map(ri -> Finding.warn(
                        NAME,
                        Scope.key(ri) + " is not Ready: "
                                + Instances.condition(
                                                ri.getStatus() != null ? ri.getStatus().conditions : null, "Ready")
                                        .map(c -> c.getReason() + ": " + c.getMessage())
                                        .orElse("no status from the operator yet")))
                .toList();
    }
}
