package io.packetparamedic.operator;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.packetparamedic.api.crd.Labels;
import io.packetparamedic.api.crd.ReflectorInstance;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

/**
 * The reflector's {@code reflector.toml}, rendered from the spec, the AuthorizedPeers in effect,
 * the open pairing codes and, for a PerNode fleet, its members (from status.nodes). A Secret rather than a ConfigMap because it carries pairing codes.
 * The pod watches it through the API, so a change applies without restarting anything.
 */
@KubernetesDependent(informer = @Informer(labelSelector = Names.CONFIG_SECRETS))
public class ConfigSecretDependent extends CRUDKubernetesDependentResource<Secret, ReflectorInstance> {

    public static final String NAME = "config-secret";

    public ConfigSecretDependent() {
        super(Secret.class);
    }

    @Override
    protected Secret desired(ReflectorInstance instance, Context<ReflectorInstance> context) {
        Instant now = Instant.now();
        String toml = ConfigRenderer.render(
                EffectiveSpec.of(instance),
                InstanceInputs.peersInEffect(instance, context, now),
                InstanceInputs.openCodes(instance, context, now),
                FleetMembers.of(instance));
        return new SecretBuilder()
                .withNewMetadata()
                .withName(Names.configSecret(instance))
                .withNamespace(instance.getMetadata().getNamespace())
                .withLabels(Names.labels(instance, Names.COMPONENT_CONFIG))
                .endMetadata()
                .withType("Opaque")
                .addToData(Labels.CONFIG_KEY, Base64.getEncoder().encodeToString(toml.getBytes(StandardCharsets.UTF_8)))
                .build();
    }

    @Override
    protected ResourceID targetSecondaryResourceID(ReflectorInstance instance, Context<ReflectorInstance> context) {
        return new ResourceID(
                Names.configSecret(instance), instance.getMetadata().getNamespace());
    }
}
