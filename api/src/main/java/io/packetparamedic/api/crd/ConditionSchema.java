package io.packetparamedic.api.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * The schema (only) of the status conditions, through {@code @SchemaFrom}: the fields of
 * Fabric8's {@link io.fabric8.kubernetes.api.model.Condition}, which the status classes keep as
 * their Java type, with descriptions so that {@code kubectl explain ….status.conditions} says
 * what each one means. Never instantiated.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
final class ConditionSchema {

    @JsonPropertyDescription("What the condition is about, e.g. Ready.")
    public String type;

    @JsonPropertyDescription("True, False or Unknown.")
    public String status;

    @JsonPropertyDescription("Why, in one CamelCase word; kubectl get prints the Ready condition's as REASON.")
    public String reason;

    @JsonPropertyDescription("Why, in one line for humans.")
    public String message;

    @JsonPropertyDescription("RFC 3339 time the status last changed.")
    public String lastTransitionTime;

    @JsonPropertyDescription("The metadata.generation the condition was computed from.")
    public Long observedGeneration;

    private ConditionSchema() {}
}
