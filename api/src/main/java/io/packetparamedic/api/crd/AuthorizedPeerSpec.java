package io.packetparamedic.api.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.packetparamedic.api.identity.EndpointId;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
        value = "has(self.reflectorRef) != has(self.reflectorSelector)",
        message = "exactly one of reflectorRef and reflectorSelector must be set")
public class AuthorizedPeerSpec {

    @Required
    @Pattern(EndpointId.PATTERN)
    @JsonPropertyDescription(
            "The appliance's Endpoint ID (PP- then 13 groups of 4 symbols and a check symbol). The schema checks the form; the operator checks the check symbol (condition Valid).")
    public String endpointId;

    @JsonPropertyDescription(
            "The ReflectorInstance this peer may use, in the same namespace. Exactly one of reflectorRef and reflectorSelector.")
    public ObjectRef reflectorRef;

    @JsonPropertyDescription(
            "Alternatively, every ReflectorInstance in the namespace whose labels match ({} matches all); the standard Kubernetes label selector.")
    public LabelSelector reflectorSelector;

    @Size(max = 256)
    @JsonPropertyDescription("Human-readable name, e.g. where the appliance lives.")
    public String displayName;

    @JsonPropertyDescription("Per-peer overrides of the instance's quotas.")
    public PeerQuotas quotas;

    @Pattern("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$")
    @JsonPropertyDescription(
            "RFC 3339 time after which the peer is no longer authorized (status.state Expired); absent: no expiry.")
    public String expiresAt;

    @Default("false")
    @JsonPropertyDescription(
            "A disabled peer stays here but is removed from the reflector's config (status.state Disabled). Default: false.")
    public Boolean disabled;
}
