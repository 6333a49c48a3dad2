package io.packetparamedic.api.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import java.util.Map;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class PairingWindowSpec {

    public static final String DEFAULT_TTL = "10m";

    @Required
    @JsonPropertyDescription("The ReflectorInstance to pair with.")
    public ObjectRef reflectorRef;

    @Pattern("^[0-9]{1,9}[smhd]$")
    @JsonPropertyDescription("How long the window stays open from its creation, e.g. 10m (default 10m).")
    public String ttl;

    @JsonPropertyDescription("Use the code in this Secret (key defaults to 'code'), e.g. one the appliance generated; otherwise the operator generates one.")
    public SecretKeyRef codeSecretRef;

    @JsonPropertyDescription("What the AuthorizedPeer created on pairing looks like.")
    public PeerTemplate peerTemplate;

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class PeerTemplate {
        @JsonPropertyDescription("Name of the AuthorizedPeer; default: the window's name.")
        public String name;
        public Map<String, String> labels;
        public String displayName;
        public PeerQuotas quotas;
    }
}
