package io.packetparamedic.operator;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.packetparamedic.api.time.Rfc3339;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Builds a condition list while keeping each condition's lastTransitionTime when its status did
 * not change: re-applying an unchanged status must be a no-op on the server (no new
 * resourceVersion), so a reconcile that finds nothing to do writes nothing.
 */
public final class Conditions {
    /** Every kind has it: what {@code kubectl wait --for=condition=Ready} waits for. */
    public static final String READY = "Ready";

    private final List<Condition> previous;
    private final Long generation;
    private final List<Condition> result = new ArrayList<>();

    public Conditions(List<Condition> previous, Long generation) {
        this.previous = previous == null ? List.of() : previous;
        this.generation = generation;
    }

    public Conditions set(String type, boolean status, String reason, String message) {
        String s = status ? "True" : "False";
        String since = find(previous, type)
                .filter(c -> s.equals(c.getStatus()) && c.getLastTransitionTime() != null)
                .map(Condition::getLastTransitionTime)
                .orElseGet(Conditions::now);
        result.add(new ConditionBuilder()
                .withType(type)
                .withStatus(s)
                .withReason(reason)
                .withMessage(message)
                .withObservedGeneration(generation)
                .withLastTransitionTime(since)
                .build());
        return this;
    }

    /** The previous conditions with one of them set (added at the end when absent); the others unchanged. */
    public static List<Condition> replacing(
            List<Condition> previous, Long generation, String type, boolean status, String reason, String message) {
        Condition updated = new Conditions(previous, generation)
                .set(type, status, reason, message)
                .build()
                .get(0);
        List<Condition> result = new ArrayList<>();
        if (previous != null) previous.forEach(c -> result.add(type.equals(c.getType()) ? updated : c));
        if (!result.contains(updated)) result.add(updated);
        return List.copyOf(result);
    }

    public List<Condition> build() {
        return List.copyOf(result);
    }

    public static Optional<Condition> find(List<Condition> conditions, String type) {
        if (conditions == null) return Optional.empty();
        return conditions.stream()
                .filter(c -> Objects.equals(type, c.getType()))
                .findFirst();
    }

    public static boolean isTrue(List<Condition> conditions, String type) {
        return find(conditions, type).map(c -> "True".equals(c.getStatus())).orElse(false);
    }

    public static boolean isFalse(List<Condition> conditions, String type) {
        return find(conditions, type).map(c -> "False".equals(c.getStatus())).orElse(false);
    }

    public static String now() {
        return Rfc3339.format(Instant.now());
    }
}
