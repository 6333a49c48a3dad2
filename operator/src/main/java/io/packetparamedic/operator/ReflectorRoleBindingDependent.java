package io.packetparamedic.operator;

import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.SubjectBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.packetparamedic.api.crd.ReflectorInstance;
import java.util.List;

/**
 * Grants the instance's Role to the instance's ServiceAccount, nothing more; for PerNode, to every
 * placed node's ServiceAccount (what all the nodes' pods need: the config, peers, status writes).
 */
@KubernetesDependent(informer = @Informer(labelSelector = Names.INSTANCE_OBJECTS))
public class ReflectorRoleBindingDependent extends CRUDKubernetesDependentResource<RoleBinding, ReflectorInstance> {

    public static final String NAME = "role-binding";

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
                .withSubjects(serviceAccounts(instance, context).stream()
                        .map(sa -> new SubjectBuilder()
                                .withKind("ServiceAccount")
                                .withName(sa)
                                .withNamespace(instance.getMetadata().getNamespace())
                                .build())
                        .toList())
                .build();
    }

    /** The instance's ServiceAccount; for PerNode, each placed node's own instead (its pod runs as that). */
    private static List<String> serviceAccounts(ReflectorInstance instance, Context<ReflectorInstance> context) {
        if (!FleetPlacement.perNode(instance)) return List.of(Names.reflector(instance));
        return InstanceInputs.placement(instance, context).names().stream()
                .map(node -> Names.nodeReflector(instance, node))
                .toList();
    }
}
