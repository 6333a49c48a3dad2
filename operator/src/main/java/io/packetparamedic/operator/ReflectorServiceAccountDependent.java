package io.packetparamedic.operator;

import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.packetparamedic.api.crd.ReflectorInstance;

/** The reflector pod's own identity towards the API server; its rights come from the Role. */
@KubernetesDependent(informer = @Informer(labelSelector = Names.INSTANCE_OBJECTS))
public class ReflectorServiceAccountDependent
        extends CRUDKubernetesDependentResource<ServiceAccount, ReflectorInstance> {

    public ReflectorServiceAccountDependent() {
        super(ServiceAccount.class);
    }

    @Override
    protected ServiceAccount desired(ReflectorInstance instance, Context<ReflectorInstance> context) {
        return new ServiceAccountBuilder()
                .withNewMetadata()
                .withName(Names.reflector(instance))
                .withNamespace(instance.getMetadata().getNamespace())
                .withLabels(Names.labels(instance, Names.COMPONENT_RBAC))
                .endMetadata()
                .build();
    }
}
