package io.packetparamedic.api.kube;

import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * Reads a Secret's {@code data} entries, which the API server always returns base64-encoded
 * ({@code stringData} is write-only and never read back).
 */
public final class SecretData {

    private SecretData() {}

    /** The decoded bytes under {@code key}; empty when the Secret or the key is absent. */
    public static Optional<byte[]> bytes(Secret secret, String key) {
        if (secret == null || secret.getData() == null) return Optional.empty();
        String encoded = secret.getData().get(key);
        if (encoded == null) return Optional.empty();
        try {
            return Optional.of(Base64.getDecoder().decode(encoded.strip()));
        } catch (IllegalArgumentException e) {
            String name =
                    secret.getMetadata() == null ? "?" : secret.getMetadata().getName();
            throw new IllegalArgumentException("Secret " + name + " key " + key + " is not valid base64");
        }
    }

    /** The entry under {@code key} as UTF-8 text with surrounding whitespace removed (hand-made Secrets end in newlines). */
    public static Optional<String> text(Secret secret, String key) {
        return bytes(secret, key).map(b -> new String(b, StandardCharsets.UTF_8).strip());
    }
}
