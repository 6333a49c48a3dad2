package io.packetparamedic.operator;

import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.packetparamedic.api.crd.ReflectorInstance;

/** Grants the instance's Role to the instance's ServiceAccount, nothing more. */
@KubernetesDependent(informer = @Informer(labelSelector = Names.OWNED))
public class ReflectorRoleBindingDependent extends CRUDKubernetesDependentResource<RoleBinding, ReflectorInstance> {

    public ReflectorRoleBindingDependent() {
        super(RoleBinding.class);
    }

    @Override
    protected RoleBinding desired(ReflectorInstance instance, Context<ReflectorInstance> context) {
        return new RoleBindingBuilder()
                .withNewMetadata()
                .withName(Names.reflector(instance))
                .withNamespace(instance.getMetadata().getNamespace())
                .withLabels(Names.labels(instance, Names.COMPONENT_RBAC))
                .endMetadata()
                .withNewRoleRef()
                .withApiGroup("rbac.authorization.k8s.io")
                .withKind("Role")
                .withName(Names.reflector(instance))
                .endRoleRef()
                .addNewSubject()
                .withKind("ServiceAccount")
                .withName(Names.reflector(instance))
                .withNamespace(instance.getMetadata().getNamespace())
                .endSubject()
                .build();
    }
}
