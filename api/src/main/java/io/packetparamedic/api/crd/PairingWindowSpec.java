package io.packetparamedic.api.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Map;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class PairingWindowSpec {

    public static final String DEFAULT_TTL = "10m";

    /**
     * Go-style durations in units d, h, m, s, largest first, each at most 5 digits: 10m, 90s,
     * 1h30m, 1d. Five digits keep every accepted value within what CEL's duration() can hold
     * (99999d is under its 292-year limit), so the bound rule below never overflows.
     */
    public static final String TTL_PATTERN = "^([0-9]{1,5}d)?([0-9]{1,5}h)?([0-9]{1,5}m)?([0-9]{1,5}s)?$";

    /**
     * CEL: the ttl as a duration. CEL's duration() takes Go's units, which have no "d"; a leading
     * "Nd" is rewritten as N*24 hours ("1d2h" becomes "24h2h", which Go sums).
     */
    private static final String TTL_AS_DURATION = "(self.contains('d')"
            + " ? duration(string(int(self.substring(0, self.indexOf('d'))) * 24) + 'h' + self.substring(self.indexOf('d') + 1))"
            + " : duration(self))";

    @Required
    @JsonPropertyDescription("The ReflectorInstance to pair with, in the same namespace.")
    public ObjectRef reflectorRef;

    @Pattern(TTL_PATTERN)
    @Size(min = 2, max = 24)
    @Default(DEFAULT_TTL)
    @ValidationRule(value = "!self.matches('" + TTL_PATTERN + "') || ("
            + TTL_AS_DURATION + " > duration('0s') && " + TTL_AS_DURATION + " <= duration('168h'))",
            message = "spec.ttl must be more than 0s and at most 7d")
    @JsonPropertyDescription("How long the window stays open from its creation, as a Go-style duration in d, h, m and s, largest unit first: 10m, 90s, 1h30m, 1d. More than 0s, at most 7d (the reflector never keeps a pairing code longer).")
    public String ttl;

    @JsonPropertyDescription("Use the code in this Secret (key defaults to 'code'), e.g. one the appliance generated; otherwise the operator generates one.")
    public SecretKeyRef codeSecretRef;

    @JsonPropertyDescription("What the AuthorizedPeer created on pairing looks like.")
    public PeerTemplate peerTemplate;

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class PeerTemplate {
        @Pattern(ObjectRef.NAME_PATTERN)
        @Size(max = 253)
        @JsonPropertyDescription("Name of the AuthorizedPeer; default: the window's name.")
        public String name;

        @JsonPropertyDescription("Labels of the AuthorizedPeer.")
        public Map<String, String> labels;

        @JsonPropertyDescription("spec.displayName of the AuthorizedPeer.")
        public String displayName;

        @JsonPropertyDescription("spec.quotas of the AuthorizedPeer: per-peer overrides of the instance's quotas.")
        public PeerQuotas quotas;
    }
}
