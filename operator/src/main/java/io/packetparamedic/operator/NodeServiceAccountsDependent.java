package io.packetparamedic.operator;

import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.packetparamedic.api.crd.ReflectorInstance;

/**
 * PerNode: each node's reflector pod its own identity towards the API server, so that the rights
 * to one node's identity Secret ({@link NodeRolesDependent}) belong to that node's pod alone.
 */
@KubernetesDependent(informer = @Informer(labelSelector = Names.NODE_OBJECTS))
public class NodeServiceAccountsDependent extends PerNodeDependent<ServiceAccount> {

    public static final String NAME = "node-service-accounts";

    public NodeServiceAccountsDependent() {
        super(ServiceAccount.class);
    }

    @Override
    ServiceAccount forNode(ReflectorInstance instance, String node, Context<ReflectorInstance> context) {
        return new ServiceAccountBuilder()
                .withMetadata(rbacMetadata(instance, node))
                .build();
    }
}
