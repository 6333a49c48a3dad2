package io.packetparamedic.api.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/**
 * Status of a ReflectorInstance. Two writers share it through server-side apply:
 * fields marked (operator) are applied by field manager {@value FieldManagers#OPERATOR},
 * fields marked (pod) by the reflector pod as {@value FieldManagers#REFLECTOR}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ReflectorInstanceStatus {

    /** The fields the operator applies (field manager {@value FieldManagers#OPERATOR}); the rest belong to the pod. */
    public static final java.util.Set<String> OPERATOR_FIELDS = java.util.Set.of(
            "endpointId",
            "previousEndpointIds",
            "phase",
            "conditions",
            "observedGeneration",
            "address",
            "authorizedPeers",
            "openPairingWindows",
            "identitySecret",
            "configSecret",
            "shortEndpointId",
            "identityRotatedAt",
            "configHash",
            "ready",
            "nodes");

    public static final int MAX_ACTIVE_SESSIONS = 32;
    public static final int MAX_PREVIOUS_ENDPOINT_IDS = 8;
    /** Most nodes a PerNode instance runs on, leaving ones included: bounds status.nodes. */
    public static final int MAX_NODES = 1000;

    // ---- (operator) ---------------------------------------------------------------------

    @JsonPropertyDescription("(operator) The Endpoint ID of the instance's identity.")
    public String endpointId;

    @JsonPropertyDescription("(operator) Endpoint IDs replaced by rotation, most recent first.")
    @Size(max = MAX_PREVIOUS_ENDPOINT_IDS)
    public List<String> previousEndpointIds;

    @JsonPropertyDescription("(operator) Pending, Progressing, Ready or Degraded.")
    public Phase phase;

    @SchemaFrom(type = ConditionSchema[].class)
    @JsonPropertyDescription("(operator) Ready, IdentityReady, Progressing, Degraded, PortConflict.")
    public List<Condition> conditions;

    @JsonPropertyDescription("(operator) The generation the operator's fields describe.")
    public Long observedGeneration;

    @JsonPropertyDescription("(operator) host:port appliances connect to.")
    public String address;

    @JsonPropertyDescription("(operator) Number of valid, enabled, unexpired AuthorizedPeers in the config.")
    public Integer authorizedPeers;

    @JsonPropertyDescription("(operator) Open PairingWindows whose code is in the config.")
    public List<String> openPairingWindows;

    @JsonPropertyDescription("(operator) Name of the Secret holding the instance's identity seed.")
    public String identitySecret;

    @JsonPropertyDescription("(operator) Name of the Secret holding the rendered reflector.toml.")
    public String configSecret;

    @JsonPropertyDescription("(operator) endpointId shortened for tables: the first two groups and an ellipsis.")
    public String shortEndpointId;

    @JsonPropertyDescription("(operator) RFC 3339 time the identity last rotated; until the pod serves the new ID"
            + " (at most 10 minutes) the instance is Progressing with reason IdentityRotating.")
    public String identityRotatedAt;

    @JsonPropertyDescription("(operator) SHA-256 (hex) of the reflector.toml in the config Secret now.")
    public String configHash;

    @JsonPropertyDescription("(operator) What the READY column shows: the Ready condition's status (True or False)"
            + " for a Single instance; ready/placed nodes (e.g. 2/3) for a PerNode instance.")
    public String ready;

    @JsonPropertyDescription(
            "(operator) PerNode: one entry per node that runs (or is leaving) a reflector, by node name;"
                    + " each node's heartbeat and session count are in nodeReports.")
    @Size(max = MAX_NODES)
    public List<NodeStatus> nodes;

    // ---- (pod) ---------------------------------------------------------------------------

    @JsonPropertyDescription("(pod) RFC 3339 time of the pod's last report.")
    public String lastHeartbeat;

    @JsonPropertyDescription("(pod) The Endpoint ID the running reflector serves with.")
    public String reportedEndpointId;

    @JsonPropertyDescription("(pod) Node the reflector runs on.")
    public String node;

    @JsonPropertyDescription("(pod) Address the reflector advertises (its node's address unless configured).")
    public String advertisedAddress;

    @JsonPropertyDescription("(pod) Number of sessions running now (activeSessions may be truncated).")
    public Integer activeSessionCount;

    @JsonPropertyDescription("(pod) The running sessions, at most 32.")
    @Size(max = MAX_ACTIVE_SESSIONS)
    public List<ActiveSession> activeSessions;

    @JsonPropertyDescription("(pod) Tests granted in the last hour, all peers.")
    public Integer testsLastHour;

    @JsonPropertyDescription("(pod) Bytes moved today (UTC), all peers.")
    public Long bytesToday;

    @JsonPropertyDescription("(pod) Peers with an open control connection.")
    public Integer connectedPeers;

    @JsonPropertyDescription("(pod) SHA-256 (hex) of the reflector.toml the running reflector applied;"
            + " equal to configHash once the current config is live.")
    public String appliedConfigHash;

    @JsonPropertyDescription("(pod) PerNode: each node's reflector reports here under its node's name (and not in"
            + " the single-pod fields above), each under its own field manager.")
    public java.util.Map<String, NodeReport> nodeReports;

    public enum Phase {
        Pending,
        Progressing,
        Ready,
        Degraded
    }

    /** (pod) One running test session. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class ActiveSession {
        @JsonPropertyDescription("The session's test ID, as in the audit log.")
        public String testId;

        @JsonPropertyDescription("Endpoint ID of the peer.")
        public String peer;

        @JsonPropertyDescription("throughput, udp_echo or stamp.")
        public String type;

        @JsonPropertyDescription("The data port the session uses.")
        public Integer port;

        @JsonPropertyDescription("RFC 3339 time the session started.")
        public String started;

        @JsonPropertyDescription("RFC 3339 time the session ends at the latest.")
        public String expires;
    }
}
