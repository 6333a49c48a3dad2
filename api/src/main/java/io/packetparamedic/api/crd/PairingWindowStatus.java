package io.packetparamedic.api.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/**
 * Status of a PairingWindow: (operator) fields by {@value FieldManagers#OPERATOR}, (pod) fields
 * by the reflector that accepted the code, as {@value FieldManagers#REFLECTOR}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PairingWindowStatus {

    /** The fields the operator applies (field manager {@value FieldManagers#OPERATOR}); the rest belong to the pod. */
    public static final java.util.Set<String> OPERATOR_FIELDS = java.util.Set.of(
            "phase", "expiresAt", "codeSecret", "authorizedPeer", "message", "conditions", "observedGeneration");

    // ---- (operator) ---------------------------------------------------------------------

    @JsonPropertyDescription(
            "(operator) Pending (its ReflectorInstance does not exist yet), Open, Consumed, Expired or Failed.")
    public Phase phase;

    @JsonPropertyDescription("(operator) RFC 3339 time the window closes: creation + ttl.")
    public String expiresAt;

    @JsonPropertyDescription(
            "(operator) The Secret holding the code (key 'code' unless spec.codeSecretRef says otherwise).")
    public String codeSecret;

    @JsonPropertyDescription("(operator) The AuthorizedPeer created when the window was consumed.")
    public String authorizedPeer;

    @JsonPropertyDescription("(operator) One line on the phase, e.g. why a pairing report was not accepted.")
    public String message;

    @SchemaFrom(type = ConditionSchema[].class)
    @JsonPropertyDescription("(operator) Ready: the window's code is live on its reflector.")
    public List<Condition> conditions;

    @JsonPropertyDescription("(operator) The generation the operator's fields describe.")
    public Long observedGeneration;

    // ---- (pod) ---------------------------------------------------------------------------

    @JsonPropertyDescription("(pod) The Endpoint ID of the appliance that presented the code.")
    public String pairedEndpointId;

    @JsonPropertyDescription("(pod) When it did (RFC 3339).")
    public String pairedAt;

    public enum Phase {
        Pending,
        Open,
        Consumed,
        Expired,
        Failed
    }
}
