package io.packetparamedic.operator;

import io.packetparamedic.api.config.ReflectorConfig;
import io.packetparamedic.api.crd.Labels;
import io.packetparamedic.api.crd.ReflectorInstance;
import io.packetparamedic.api.crd.ReflectorInstanceSpec;
import io.packetparamedic.api.crd.SecretKeyRef;
import java.util.Map;
import java.util.Optional;

/**
 * A ReflectorInstance's spec with the defaults filled in. The defaults are the reflector's own
 * (a fresh {@link ReflectorConfig}), so an empty spec runs exactly like a standalone reflector
 * with no configuration file, plus hostNetwork.
 */
public record EffectiveSpec(ReflectorInstance instance, ReflectorInstanceSpec spec) {

    private static final ReflectorConfig DEFAULTS = new ReflectorConfig();

    public static EffectiveSpec of(ReflectorInstance instance) {
        ReflectorInstanceSpec spec = instance.getSpec() != null ? instance.getSpec() : new ReflectorInstanceSpec();
        return new EffectiveSpec(instance, spec);
    }

    private Optional<ReflectorInstanceSpec.Network> network() {
        return Optional.ofNullable(spec.network);
    }

    public boolean hostNetwork() {
        return network().map(n -> n.hostNetwork).orElse(true);
    }

    public int controlPort() {
        return network().map(n -> n.controlPort).orElse(port(DEFAULTS.network.listenAddress));
    }

    public int healthPort() {
        return network().map(n -> n.healthPort).orElse(port(DEFAULTS.network.listenAddressHealth));
    }

    public int dataPortStart() {
        return network().map(n -> n.dataPortRange).map(r -> r.start).orElse(DEFAULTS.network.dataPortRangeStart);
    }

    public int dataPortEnd() {
        return network().map(n -> n.dataPortRange).map(r -> r.end).orElse(DEFAULTS.network.dataPortRangeEnd);
    }

    public String mode() {
        return network().map(n -> n.mode).map(Enum::name).orElse(DEFAULTS.network.mode);
    }

    public boolean requireAlpn() {
        return network().map(n -> n.requireAlpn).orElse(DEFAULTS.network.requireAlpn);
    }

    public int drainTimeoutSec() {
        return network().map(n -> n.drainTimeoutSec).orElse(DEFAULTS.network.drainTimeoutSec);
    }

    public Optional<String> advertisedAddress() {
        return network().map(n -> n.advertisedAddress).filter(a -> !a.isBlank());
    }

    public String image() {
        return spec.image != null && !spec.image.isBlank() ? spec.image : OperatorSettings.defaultImage();
    }

    public String logLevel() {
        return spec.logLevel != null ? spec.logLevel.name() : DEFAULTS.logging.level;
    }

    public Map<String, String> nodeSelector() {
        return spec.nodeSelector == null ? Map.of() : spec.nodeSelector;
    }

    /** The user-supplied identity Secret, when the spec names one. */
    public Optional<SecretKeyRef> existingIdentitySecret() {
        return Optional.ofNullable(spec.identity).map(i -> i.existingSecret).filter(s -> s.name != null);
    }

    public String rotation() {
        return Optional.ofNullable(spec.identity).map(i -> i.rotation).orElse("");
    }

    /** The Secret the reflector reads its identity from, and the key inside it. */
    public String identitySecretName() {
        return existingIdentitySecret().map(s -> s.name).orElse(Names.generatedIdentitySecret(instance));
    }

    public String identitySecretKey() {
        return existingIdentitySecret().map(s -> s.keyOr(Labels.IDENTITY_KEY)).orElse(Labels.IDENTITY_KEY);
    }

    private static int port(String hostPort) {
        return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
    }
}
