package io.packetparamedic.operator;

import io.fabric8.kubernetes.api.model.Secret;
import io.packetparamedic.api.config.ConfigException;
import io.packetparamedic.api.config.ConfigLoader;
import io.packetparamedic.api.config.ReflectorConfig;
import io.packetparamedic.api.crd.Labels;
import io.packetparamedic.api.kube.SecretData;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/** The reflector.toml an instance's config Secret holds, read back as the pod will read it. */
final class RenderedConfig {

    private RenderedConfig() {}

    /** Empty when the Secret has no config or one the pod would refuse (it keeps its last good one then). */
    static Optional<ReflectorConfig> of(Secret configSecret) {
        Optional<byte[]> data = SecretData.bytes(configSecret, Labels.CONFIG_KEY);
        if (data.isEmpty()) return Optional.empty();
        try {
            String text = new String(data.get(), StandardCharsets.UTF_8);
            return Optional.of(ConfigLoader.parse(text, Names.key(configSecret)).config());
        } catch (ConfigException e) {
            return Optional.empty();
        }
    }

    /**
     * The PairingWindows (names in {@code namespace}) whose codes this Secret's text carries.
     * Read from the text, not from the windows the operator meant to render, so that the list
     * always describes the same Secret version as its digest (status.configHash).
     */
    static List<String> windows(Secret configSecret, String namespace) {
        String prefix = namespace + "/";
        return of(configSecret)
                .map(c -> c.access.pairingCodes.stream()
                        .map(code -> code.window)
                        .filter(w -> w != null && w.startsWith(prefix))
                        .map(w -> w.substring(prefix.length()))
                        .sorted()
                        .toList())
                .orElse(List.of());
    }
}
