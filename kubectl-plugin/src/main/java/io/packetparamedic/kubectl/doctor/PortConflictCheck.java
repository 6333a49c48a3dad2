package io.packetparamedic.kubectl.doctor;

import io.fabric8.kubernetes.api.model.Condition;
import io.packetparamedic.api.crd.ReflectorInstance;
import io.packetparamedic.kubectl.Instances;
import java.util.List;
import java.util.Optional;

/**
 * Host ports overlapping between instances that may share a node, as the operator reports them
 * (condition PortConflict); the operator owns the rule for "may share a node".
 */
final class PortConflictCheck implements Check {

    static final String NAME = "host ports";
    static final String CONDITION = "PortConflict";

    @Override
    public List<Finding> run(Scope scope) {
        Optional<String> unavailable = scope.instancesUnavailable();
        if (unavailable.isPresent()) return List.of(Finding.warn(NAME, "not checked: " + unavailable.get()));
        List<ReflectorInstance> instances = scope.instances();
        List<Finding> conflicts = instances.stream()
                .filter(ri -> ri.getStatus() != null && Instances.isTrue(ri.getStatus().conditions, CONDITION))
                .map(ri -> Finding.fail(
                        NAME,
                        Scope.key(ri) + ": "
                                + Instances.condition(ri.getStatus().conditions, CONDITION)
                                        .map(Condition::getMessage)
                                        .orElse("")))
                .toList();
        if (!conflicts.isEmpty()) return conflicts;
        return List.of(Finding.ok(
                NAME,
                instances.size() + " ReflectorInstance(s) in " + scope.where() + ", none reports a " + CONDITION));
    }
}
