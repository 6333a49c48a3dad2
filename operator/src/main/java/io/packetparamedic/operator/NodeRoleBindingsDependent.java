package io.packetparamedic.operator;

import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.packetparamedic.api.crd.ReflectorInstance;

/** PerNode: grants a node's Role to that node's ServiceAccount, nothing more. */
@KubernetesDependent(informer = @Informer(labelSelector = Names.NODE_OBJECTS))
public class NodeRoleBindingsDependent extends PerNodeDependent<RoleBinding> {

    public static final String NAME = "node-role-bindings";

    public NodeRoleBindingsDependent() {
        super(RoleBinding.class);
    }

    @Override
    RoleBinding forNode(ReflectorInstance instance, String node, Context<ReflectorInstance> context) {
        String name = Names.nodeReflector(instance, node);
        return new RoleBindingBuilder()
                .withMetadata(rbacMetadata(instance, node))
                .withNewRoleRef()
                .withApiGroup("rbac.authorization.k8s.io")
                .withKind("Role")
                .withName(name)
                .endRoleRef()
                .addNewSubject()
                .withKind("ServiceAccount")
                .withName(name)
                .withNamespace(instance.getMetadata().getNamespace())
                .endSubject()
                .build();
    }
}
