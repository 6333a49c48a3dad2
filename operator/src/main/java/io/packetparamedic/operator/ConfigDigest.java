package io.packetparamedic.operator;

import io.fabric8.kubernetes.api.model.Secret;
import io.packetparamedic.api.crd.Labels;
import io.packetparamedic.api.kube.SecretData;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * SHA-256 (hex) of the reflector.toml in an instance's config Secret. The reflector pod reports
 * the same digest of the text it applied (status.appliedConfigHash), so equal digests mean the
 * config in the Secret is the one serving: that is how a peer or a pairing code counts as live.
 */
public final class ConfigDigest {

    private ConfigDigest() {}

    public static Optional<String> of(Secret configSecret) {
        return SecretData.bytes(configSecret, Labels.CONFIG_KEY).map(ConfigDigest::sha256);
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
