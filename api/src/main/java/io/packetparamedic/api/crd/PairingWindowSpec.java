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
     * CEL: the ttl in seconds. CEL's duration() takes Go's units, which have no "d": the leading
     * "Nd" (if any) counts N * 86400 s and the rest goes through duration(). No string is built
     * (a converted number has no size bound for the cost estimator, which then refuses the rule).
     */
    private static final String TTL_REST = "(self.contains('d') ? self.substring(self.indexOf('d') + 1) : self)";

    private static final String TTL_SECONDS =
            "((self.contains('d') ? int(self.substring(0, self.indexOf('d'))) * 86400 : 0)" + " + (" + TTL_REST
                    + " == '' ? 0 : duration(" + TTL_REST + ").getSeconds()))";

    @Required
    @JsonPropertyDescription("The ReflectorInstance to pair with, in the same namespace.")
    public ObjectRef reflectorRef;

    @Pattern(TTL_PATTERN)
    @Size(min = 2, max = 24)
    @Default(DEFAULT_TTL)
    @ValidationRule(
            value = "!self.matches('" + TTL_PATTERN + "') || (" + TTL_SECONDS + " > 0 && " + TTL_SECONDS
                    + " <= 604800)",
            message = "spec.ttl must be more than 0s and at most 7d")
    @JsonPropertyDescription(
            "How long the window stays open from its creation, as a Go-style duration in d, h, m and s, largest unit first: 10m, 90s, 1h30m, 1d. More than 0s, at most 7d (the reflector never keeps a pairing code longer). Default: 10m.")
    public String ttl;

    @JsonPropertyDescription(
            "Use the code in this Secret (key defaults to 'code'), e.g. one the appliance generated; otherwise the operator generates one.")
    public SecretKeyRef codeSecretRef;

    @JsonPropertyDescription("What the AuthorizedPeer created on pairing looks like.")
    public PeerTemplate peerTemplate;

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class PeerTemplate {
        @Pattern(ObjectRef.NAME_PATTERN)
        @Size(max = 253)
        @JsonPropertyDescription("Name of the AuthorizedPeer; default: the window's name.")
        public String name;

        @Size(max = 64)
        @JsonPropertyDescription("Labels of the AuthorizedPeer (at most 64).")
        public Map<String, String> labels;

        @Size(max = 256)
        @JsonPropertyDescription("spec.displayName of the AuthorizedPeer.")
        public String displayName;

        @JsonPropertyDescription("spec.quotas of the AuthorizedPeer: per-peer overrides of the instance's quotas.")
        public PeerQuotas quotas;
    }
}
