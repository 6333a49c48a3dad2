package io.packetparamedic.api.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/**
 * Status of an AuthorizedPeer: (operator) fields are applied by {@value FieldManagers#OPERATOR},
 * (pod) fields by the reflector(s) the peer uses, as {@value FieldManagers#REFLECTOR}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AuthorizedPeerStatus {

    /** The fields the operator applies (field manager {@value FieldManagers#OPERATOR}); the rest belong to the pod. */
    public static final java.util.Set<String> OPERATOR_FIELDS = java.util.Set.of(
            "conditions", "observedGeneration", "reflectors", "pairedVia", "pairedAt", "shortEndpointId", "state");

    // ---- (operator) ---------------------------------------------------------------------

    @SchemaFrom(type = ConditionSchema[].class)
    @JsonPropertyDescription(
            "(operator) Ready, Valid (check symbol) and Active (enabled, unexpired, on at least one instance).")
    public List<Condition> conditions;

    @JsonPropertyDescription("(operator) The generation the operator's fields describe.")
    public Long observedGeneration;

    @JsonPropertyDescription("(operator) The ReflectorInstances whose config holds this peer.")
    public List<String> reflectors;

    @JsonPropertyDescription("(operator) The PairingWindow (namespace/name) this peer was enrolled through.")
    public String pairedVia;

    @JsonPropertyDescription("(operator) When the pairing happened (RFC 3339).")
    public String pairedAt;

    @JsonPropertyDescription("(operator) spec.endpointId shortened for tables: the first two groups and an ellipsis.")
    public String shortEndpointId;

    @JsonPropertyDescription("(operator) Active (a reflector serves with this peer in its applied config), Pending"
            + " (selected, not yet applied), Disabled, Expired, Invalid (check symbol) or NoReflector.")
    public State state;

    // ---- (pod) ---------------------------------------------------------------------------

    @JsonPropertyDescription("(pod) Last time the peer completed a handshake (RFC 3339).")
    public String lastSeenTime;

    @JsonPropertyDescription("(pod) The address it last connected from.")
    public String lastAddress;

    @JsonPropertyDescription("(pod) Tests this peer started in the last hour.")
    public Integer testsLastHour;

    @JsonPropertyDescription("(pod) Bytes this peer moved today (UTC).")
    public Long bytesToday;

    @JsonPropertyDescription("(pod) Test sessions this peer has run since the reflector started.")
    public Long totalSessions;

    public enum State {
        Active,
        Disabled,
        Expired,
        Invalid,
        NoReflector,
        Pending
    }
}
