package io.packetparamedic.reflector.kube;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.packetparamedic.api.config.ConfigLoader;
import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.api.identity.IdentityException;
import io.packetparamedic.api.kube.SecretData;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * Reads the instance's two Secrets through the API: the identity (a raw 32-byte Ed25519 seed,
 * never written to disk) and the configuration (the operator-rendered reflector.toml).
 */
final class SecretSource {

    private SecretSource() {}

    /** Loads the identity from its Secret; the seed bytes are wiped once the key is derived. */
    static Ed25519Identity identity(KubernetesClient client, KubeSettings s) {
        return identity(get(client, s, s.identitySecret()), s);
    }

    static Ed25519Identity identity(Secret secret, KubeSettings s) {
        byte[] seed = SecretData.bytes(secret, s.identityKey())
                .orElseThrow(() ->
                        new IdentityException("identity Secret " + s.instance().namespace() + "/" + s.identitySecret()
                                + " has no key '" + s.identityKey() + "'"));
        try {
            return Ed25519Identity.fromSeed(seed);
        } finally {
            Arrays.fill(seed, (byte) 0);
        }
    }

    /** The configuration text of the config Secret, as fetched now. */
    static String configText(KubernetesClient client, KubeSettings s) {
        return configText(get(client, s, s.configSecret()), s)
                .orElseThrow(() -> new IllegalStateException("config Secret "
                        + s.instance().namespace() + "/" + s.configSecret() + " has no key '" + s.configKey() + "'"));
    }

    static Optional<String> configText(Secret secret, KubeSettings s) {
        return SecretData.bytes(secret, s.configKey()).map(b -> new String(b, StandardCharsets.UTF_8));
    }

    /**
     * Unknown keys are warnings here, not errors: the operator renders this file and is upgraded
     * before the reflector pods it manages, so a key from a newer operator must not stop an older pod.
     */
    static ConfigLoader.Loaded parse(String toml, KubeSettings s) {
        return ConfigLoader.parse(
                toml, "Secret " + s.instance().namespace() + "/" + s.configSecret(), ConfigLoader.UnknownKeys.WARN);
    }

    private static Secret get(KubernetesClient client, KubeSettings s, String name) {
        Secret secret;
        try {
            secret = client.secrets()
                    .inNamespace(s.instance().namespace())
                    .withName(name)
                    .get();
        } catch (KubernetesClientException e) {
            throw new IllegalStateException(
                    "cannot read Secret " + s.instance().namespace() + "/" + name + " (HTTP " + e.getCode() + "): "
                            + firstLine(e.getMessage()),
                    e);
        }
        if (secret == null) {
            throw new IllegalStateException("Secret " + s.instance().namespace() + "/" + name + " does not exist");
        }
        return secret;
    }

    static String firstLine(String message) {
        if (message == null) return "";
        int nl = message.indexOf('\n');
        return (nl < 0 ? message : message.substring(0, nl)).replace('"', '\'');
    }
}
