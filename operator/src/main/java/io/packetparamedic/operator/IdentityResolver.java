package io.packetparamedic.operator;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.packetparamedic.api.crd.ReflectorInstance;
import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.api.identity.EndpointId;
import java.util.Optional;

/**
 * Where an instance's identity comes from and whether it is usable: the generated Secret (read
 * from the dependent's informer cache) or a user-supplied Secret (read through the API, since
 * the operator does not watch arbitrary Secrets).
 */
public final class IdentityResolver {

    /** endpointId is present exactly when the identity is usable; otherwise reason/message say why. */
    public record Identity(
            Optional<EndpointId> endpointId, boolean generated, String secretName, String reason, String message) {}

    /** The reason while the operator generates the identity Secret: the one identity state that heals by itself. */
    public static final String CREATING = "Creating";

    private IdentityResolver() {}

    public static Identity resolve(
            ReflectorInstance instance, Optional<Secret> generatedSecret, KubernetesClient client) {
        EffectiveSpec spec = EffectiveSpec.of(instance);
        String name = spec.identitySecretName();
        String key = spec.identitySecretKey();
        boolean generated = spec.existingIdentitySecret().isEmpty();
        Optional<Secret> secret = generated
                ? generatedSecret
                : Optional.ofNullable(client.secrets()
                        .inNamespace(instance.getMetadata().getNamespace())
                        .withName(name)
                        .get());
        if (secret.isEmpty()) {
            return new Identity(
                    Optional.empty(),
                    generated,
                    name,
                    generated ? CREATING : "SecretNotFound",
                    generated
                            ? "identity Secret " + name + " is being created"
                            : "identity Secret " + name + " does not exist");
        }
        Optional<byte[]> seed = IdentitySecretDependent.seed(secret.get(), key);
        if (seed.isEmpty()) {
            return new Identity(
                    Optional.empty(),
                    generated,
                    name,
                    "InvalidSeed",
                    "key " + key + " of Secret " + name + " must hold a raw 32-byte Ed25519 seed");
        }
        EndpointId id = Ed25519Identity.fromSeed(seed.get()).endpointId();
        return new Identity(
                Optional.of(id),
                generated,
                name,
                generated ? "Generated" : "Provided",
                "Endpoint ID " + id + " from Secret " + name);
    }

    /** Whether the Deployment may run: generated identities always (the pod waits for the Secret). */
    public static boolean usable(ReflectorInstance instance, KubernetesClient client) {
        EffectiveSpec spec = EffectiveSpec.of(instance);
        if (spec.existingIdentitySecret().isEmpty()) return true;
        return resolve(instance, Optional.empty(), client).endpointId().isPresent();
    }
}
