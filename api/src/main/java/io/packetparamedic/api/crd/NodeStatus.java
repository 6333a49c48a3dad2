package io.packetparamedic.api.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * (operator) One node of a PerNode instance: what runs there and whether it serves. Only facts
 * that change slowly: the node's heartbeat and session count stay in status.nodeReports (written
 * by its pod), so a heartbeat does not make the operator rewrite this list and reconcile again.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class NodeStatus {

    @JsonPropertyDescription("Name of the node.")
    public String node;

    @JsonPropertyDescription("The Endpoint ID of this node's identity Secret.")
    public String endpointId;

    @JsonPropertyDescription(
            "host:port appliances connect to on this node (the node's InternalIP unless advertisedAddress is set).")
    public String address;

    @JsonPropertyDescription("Whether this node's reflector reported recently with the expected Endpoint ID.")
    public Boolean ready;

    @JsonPropertyDescription(
            "Why this node is (not) ready, as a short reason: HeartbeatFresh, AwaitingHeartbeat, HeartbeatStale, EndpointIdMismatch, IdentityNotReady, DeploymentMissing.")
    public String reason;

    @JsonPropertyDescription(
            "RFC 3339 time the node stopped matching the placement (or disappeared); its Deployment and identity Secret are removed a grace period later, never while sessions run there.")
    public String leftAt;
}
