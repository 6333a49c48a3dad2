package io.packetparamedic.api.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * (pod) What the reflector of one node of a PerNode instance reports, under status.nodeReports
 * keyed by node name. A map rather than a list so that each node's pod owns exactly its own key
 * under server-side apply (maps are granular; a list would need list-map keys).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class NodeReport {

    @JsonPropertyDescription("RFC 3339 time of the report.")
    public String lastHeartbeat;

    @JsonPropertyDescription("The Endpoint ID the reflector on this node serves with.")
    public String reportedEndpointId;

    @JsonPropertyDescription("Address the reflector on this node advertises.")
    public String advertisedAddress;

    @JsonPropertyDescription("Sessions running on this node now.")
    public Integer activeSessionCount;

    @JsonPropertyDescription("SHA-256 (hex) of the reflector.toml the reflector on this node applied.")
    public String appliedConfigHash;
}
