package io.packetparamedic.operator;

import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.packetparamedic.api.crd.Labels;
import io.packetparamedic.api.crd.ReflectorInstance;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Least privilege for the reflector pod. It may read exactly its two Secrets (PerNode: the
 * config Secret here, each node's identity through its own Role, {@link NodeRolesDependent}) (get, and list/watch
 * narrowed to them by name), read AuthorizedPeers, and patch the status subresource of its own
 * instance, of the AuthorizedPeers that name or select it and of its open PairingWindows — each
 * by name. No spec writes, no other Secret, no other instance's peers or windows.
 *
 * <p>The peer and window names follow the instance controller's informers: a peer or window
 * that appears, changes phase or is relabelled reconciles the instance, and this Role is applied
 * before the config Secret (the workflow orders them), so a window's code reaches the pod only
 * once the pod may report its use. An empty {@code resourceNames} would mean every name, so a
 * rule without names is left out rather than written empty.
 */
@KubernetesDependent(informer = @Informer(labelSelector = Names.INSTANCE_OBJECTS))
public class ReflectorRoleDependent extends CRUDKubernetesDependentResource<Role, ReflectorInstance> {

    public static final String NAME = "role";

    public ReflectorRoleDependent() {
        super(Role.class);
    }

    @Override
    protected Role desired(ReflectorInstance instance, Context<ReflectorInstance> context) {
        EffectiveSpec spec = EffectiveSpec.of(instance);
        List<String> peers = InstanceInputs.peersSelecting(instance, context).stream()
                .map(p -> p.getMetadata().getName())
                .sorted()
                .distinct()
                .toList();
        List<String> windows = InstanceInputs.openWindows(instance, context, Instant.now()).stream()
                .map(w -> w.getMetadata().getName())
                .sorted()
                .distinct()
                .toList();
        List<PolicyRule> rules = new ArrayList<>();
        rules.add(new PolicyRuleBuilder()
                .withApiGroups("")
                .withResources("secrets")
                .withResourceNames(readableSecrets(instance, spec))
                .withVerbs("get", "list", "watch")
                .build());
        rules.add(new PolicyRuleBuilder()
                .withApiGroups(Labels.GROUP)
                .withResources("authorizedpeers")
                .withVerbs("get", "list", "watch")
                .build());
        rules.add(statusPatch(
                        "reflectorinstances/status",
                        List.of(instance.getMetadata().getName()))
                .orElseThrow());
        statusPatch("authorizedpeers/status", peers).ifPresent(rules::add);
        statusPatch("pairingwindows/status", windows).ifPresent(rules::add);
        return new RoleBuilder()
                .withNewMetadata()
                .withName(Names.reflector(instance))
                .withNamespace(instance.getMetadata().getNamespace())
                .withLabels(Names.labels(instance, Names.COMPONENT_RBAC))
                .endMetadata()
                .withRules(rules)
                .build();
    }

    /**
     * By name: the default works out {@link #desired} to learn the name, which scans the
     * instance's peers and windows a second time per reconcile.
     */
    @Override
    protected ResourceID targetSecondaryResourceID(ReflectorInstance instance, Context<ReflectorInstance> context) {
        return new ResourceID(Names.reflector(instance), instance.getMetadata().getNamespace());
    }

    /**
     * The identity Secret and the config Secret; for PerNode the config Secret only: each node's
     * identity Secret is readable by that node's ServiceAccount alone ({@link NodeRolesDependent}).
     */
    private static List<String> readableSecrets(ReflectorInstance instance, EffectiveSpec spec) {
        List<String> names = new ArrayList<>();
        if (!FleetPlacement.perNode(instance)) names.add(spec.identitySecretName());
        names.add(Names.configSecret(instance));
        return names;
    }

    /** {@code patch} on the named objects' status; none when there are no names (empty would mean all). */
    private static Optional<PolicyRule> statusPatch(String resource, List<String> names) {
        if (names.isEmpty()) return Optional.empty();
        return Optional.of(new PolicyRuleBuilder()
                .withApiGroups(Labels.GROUP)
                .withResources(resource)
                .withResourceNames(names)
                .withVerbs("patch")
                .build());
    }
}
