package io.packetparamedic.operator;

import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.packetparamedic.api.crd.Labels;
import io.packetparamedic.api.crd.ReflectorInstance;

/**
 * Least privilege for the reflector pod. It may read exactly its two Secrets (get, and list/watch
 * narrowed to them by name), read AuthorizedPeers, and patch only the status subresource of its
 * own instance and of AuthorizedPeers and PairingWindows. No spec writes, no other Secret.
 */
@KubernetesDependent(informer = @Informer(labelSelector = Names.OWNED))
public class ReflectorRoleDependent extends CRUDKubernetesDependentResource<Role, ReflectorInstance> {

    public ReflectorRoleDependent() {
        super(Role.class);
    }

    @Override
    protected Role desired(ReflectorInstance instance, Context<ReflectorInstance> context) {
        EffectiveSpec spec = EffectiveSpec.of(instance);
        return new RoleBuilder()
                .withNewMetadata()
                    .withName(Names.reflector(instance))
                    .withNamespace(instance.getMetadata().getNamespace())
                    .withLabels(Names.labels(instance, Names.COMPONENT_RBAC))
                .endMetadata()
                .addToRules(new PolicyRuleBuilder()
                        .withApiGroups("")
                        .withResources("secrets")
                        .withResourceNames(spec.identitySecretName(), Names.configSecret(instance))
                        .withVerbs("get", "list", "watch")
                        .build())
                .addToRules(new PolicyRuleBuilder()
                        .withApiGroups(Labels.GROUP)
                        .withResources("authorizedpeers")
                        .withVerbs("get", "list", "watch")
                        .build())
                .addToRules(new PolicyRuleBuilder()
                        .withApiGroups(Labels.GROUP)
                        .withResources("reflectorinstances/status")
                        .withResourceNames(instance.getMetadata().getName())
                        .withVerbs("patch")
                        .build())
                .addToRules(new PolicyRuleBuilder()
                        .withApiGroups(Labels.GROUP)
                        .withResources("authorizedpeers/status", "pairingwindows/status")
                        .withVerbs("patch")
                        .build())
                .build();
    }
}
