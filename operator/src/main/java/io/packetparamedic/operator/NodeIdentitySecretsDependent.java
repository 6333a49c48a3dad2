package io.packetparamedic.operator;

import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.BulkDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.packetparamedic.api.crd.Labels;
import io.packetparamedic.api.crd.ReflectorInstance;
import java.util.LinkedHashMap;
import java.util.List;
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
public class NodeIdentitySecretsDependent extends CRUDKubernetesDependentResource<Secret, ReflectorInstance>
        implements BulkDependentResource<Secret, ReflectorInstance> {

    public static final String NAME = "node-identity-secrets";

    public NodeIdentitySecretsDependent() {
        super(Secret.class);
    }

    @Override
    public Map<String, Secret> desiredResources(ReflectorInstance instance, Context<ReflectorInstance> context) {
        Map<String, Secret> existing = getSecondaryResources(instance, context);
        Map<String, Secret> desired = new LinkedHashMap<>();
        List<String> nodes = InstanceInputs.placement(instance, context).names();
        Names.requireDistinctSlots(nodes);
        for (String node : nodes) {
            desired.put(
                    node,
                    IdentitySecretDependent.identitySecret(
                            instance,
                            Names.nodeIdentitySecret(instance, node),
                            Names.nodeLabels(instance, Names.COMPONENT_IDENTITY, node),
                            Map.of(Labels.NODE, node),
                            Optional.ofNullable(existing.get(node))));
        }
        return desired;
    }

    @Override
    public Map<String, Secret> getSecondaryResources(ReflectorInstance instance, Context<ReflectorInstance> context) {
        return InstanceInputs.byNode(eventSource().orElseThrow().getSecondaryResources(instance));
    }
}
