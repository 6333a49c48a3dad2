package io.packetparamedic.operator;

import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.packetparamedic.api.crd.Labels;
import io.packetparamedic.api.crd.ReflectorInstance;
import java.util.Map;
import java.util.Optional;

/**
 * PerNode: one generated identity Secret per node in the placement, keyed by node name, so every
 * node's reflector has its own Ed25519 key and Endpoint ID. Made like the Single identity
 * ({@link IdentitySecretDependent#identitySecret}): the seed is read back on every reconcile and
 * replaced only by a rotation. A node leaving the placement keeps its Secret as long as its
 * Deployment ({@link FleetPlacement}); after that JOSDK deletes it.
 */
@KubernetesDependent(informer = @Informer(labelSelector = Names.NODE_IDENTITY_SECRETS))
public class NodeIdentitySecretsDependent extends PerNodeDependent<Secret> {

    public static final String NAME = "node-identity-secrets";

    public NodeIdentitySecretsDependent() {
        super(Secret.class);
    }

    @Override
    Secret forNode(ReflectorInstance instance, String node, Context<ReflectorInstance> context) {
        return IdentitySecretDependent.identitySecret(
                instance,
                Names.nodeIdentitySecret(instance, node),
                Names.nodeLabels(instance, Names.COMPONENT_IDENTITY, node),
                Map.of(Labels.NODE, node),
                Optional.ofNullable(getSecondaryResources(instance, context).get(node)));
    }
}
