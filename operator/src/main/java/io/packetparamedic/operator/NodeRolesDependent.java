package io.packetparamedic.operator;

import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.packetparamedic.api.crd.ReflectorInstance;

/**
 * PerNode: what only one node's pod may do — read its own identity Secret, by name. What every
 * node's pod needs (the config Secret, peers, the status writes) is in the instance's shared Role
 * ({@link ReflectorRoleDependent}), bound to every node's ServiceAccount; so a compromised node
 * cannot read another node's private key.
 */
@KubernetesDependent(informer = @Informer(labelSelector = Names.NODE_OBJECTS))
public class NodeRolesDependent extends PerNodeDependent<Role> {

    public static final String NAME = "node-roles";

    public NodeRolesDependent() {
        super(Role.class);
    }

    @Override
    Role forNode(ReflectorInstance instance, String node, Context<ReflectorInstance> context) {
        return new RoleBuilder()
                .withMetadata(rbacMetadata(instance, node))
                .addNewRule()
                .withApiGroups("")
                .withResources("secrets")
                .withResourceNames(Names.nodeIdentitySecret(instance, node))
                .withVerbs("get", "list", "watch")
                .endRule()
                .build();
    }
}
