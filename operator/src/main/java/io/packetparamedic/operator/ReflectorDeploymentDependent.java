package io.packetparamedic.operator;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.packetparamedic.api.crd.Labels;
import io.packetparamedic.api.crd.ReflectorInstance;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The reflector pod: one replica, replaced with Recreate (two pods on one node would fight over
 * the host ports), on the node's network so that the ephemeral data ports are reachable at the
 * node's address. It runs the reflector's Kubernetes mode, which reads the identity and config
 * Secrets through the API with the instance's ServiceAccount. The config is deliberately not
 * hashed into the pod template: the pod applies config changes live, so a quota change must
 * not restart it.
 */
@KubernetesDependent(informer = @Informer(labelSelector = Names.SINGLE_DEPLOYMENTS))
public class ReflectorDeploymentDependent extends CRUDKubernetesDependentResource<Deployment, ReflectorInstance> {

    /** The data emptyDir: the rotated audit log (6 x 100 MiB at most) and state files, with room. */
    static final Quantity DATA_LIMIT = new Quantity("1Gi");
    /** /tmp: the JVM's scratch files only. */
    static final Quantity TMP_LIMIT = new Quantity("64Mi");

    public static final String CONTAINER = "reflector";
    /** The non-root user of the reflector image (reflector/Containerfile). */
    public static final long RUN_AS = 10001L;

    /**
     * Seconds the kubelet waits beyond the reflector's drain period before SIGKILL: the JVM's own
     * shutdown (closing listeners, flushing the audit log, the last status write) after the drain.
     */
    static final int TERMINATION_MARGIN_SEC = 15;

    public ReflectorDeploymentDependent() {
        super(Deployment.class);
    }

    @Override
    protected Deployment desired(ReflectorInstance instance, Context<ReflectorInstance> context) {
        return deployment(instance, Optional.empty());
    }

    /**
     * The reflector's Deployment: the instance's one (no node), or that of one node of a PerNode
     * instance, which differs only where the node matters: its name, labels and selector carry
     * the node's slot, it is pinned to the node by required node affinity on the node's name
     * (the DaemonSet controller's way: the scheduler still checks taints and resources, unlike
     * spec.nodeName), it tolerates the placement's tolerations, reads the node's own identity
     * Secret with the node's own ServiceAccount and reports into the node's status entry.
     */
    static Deployment deployment(ReflectorInstance instance, Optional<String> node) {
        EffectiveSpec spec = EffectiveSpec.of(instance);
        boolean hostNetwork = spec.hostNetwork();
        Map<String, String> labels = node.map(n -> Names.nodeLabels(instance, Names.COMPONENT_REFLECTOR, n))
                .orElseGet(() -> Names.labels(instance, Names.COMPONENT_REFLECTOR));
        Map<String, String> selector = Names.selectorLabels(instance);
        node.ifPresent(n -> selector.put(Labels.NODE, Names.nodeSlot(n)));
        return new DeploymentBuilder()
                .withNewMetadata()
                .withName(node.map(n -> Names.nodeReflector(instance, n)).orElseGet(() -> Names.reflector(instance)))
                .withNamespace(instance.getMetadata().getNamespace())
                .withLabels(labels)
                // Mutable: JOSDK edits the desired object's annotations when matching.
                .withAnnotations(new LinkedHashMap<>(
                        node.map(n -> Map.of(Labels.NODE, n)).orElse(Map.of())))
                .endMetadata()
                .withNewSpec()
                .withReplicas(1)
                .withNewStrategy()
                .withType("Recreate")
                .endStrategy()
                .withNewSelector()
                .withMatchLabels(selector)
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .withLabels(labels)
                .endMetadata()
                .withNewSpec()
                .withServiceAccountName(
                        node.map(n -> Names.nodeReflector(instance, n)).orElseGet(() -> Names.reflector(instance)))
                .withHostNetwork(hostNetwork)
                // SIGTERM starts the drain: running tests finish, new ones are refused busy.
                .withTerminationGracePeriodSeconds((long) spec.drainTimeoutSec() + TERMINATION_MARGIN_SEC)
                // With hostNetwork the pod would otherwise resolve through the node's
                // resolv.conf and lose cluster DNS.
                .withDnsPolicy(hostNetwork ? "ClusterFirstWithHostNet" : "ClusterFirst")
                .withNodeSelector(spec.nodeSelector().isEmpty() ? null : spec.nodeSelector())
                .withTolerations(node.isPresent() ? spec.spec().placement.tolerations : spec.spec().tolerations)
                .withAffinity(node.map(ReflectorDeploymentDependent::pinnedTo).orElse(spec.spec().affinity))
                .withNewSecurityContext()
                .withRunAsNonRoot(true)
                .withRunAsUser(RUN_AS)
                .withRunAsGroup(RUN_AS)
                .withNewSeccompProfile()
                .withType("RuntimeDefault")
                .endSeccompProfile()
                .endSecurityContext()
                .addNewContainer()
                .withName(CONTAINER)
                .withImage(spec.image())
                .withArgs("serve", "--instance", instance.instanceKey())
                .withEnv(env(instance, spec, node))
                .withPorts(
                        new ContainerPortBuilder()
                                .withName("control")
                                .withContainerPort(spec.controlPort())
                                .withHostPort(hostNetwork ? spec.controlPort() : null)
                                .withProtocol("TCP")
                                .build(),
                        new ContainerPortBuilder()
                                .withName("health")
                                .withContainerPort(spec.healthPort())
                                .withHostPort(hostNetwork ? spec.healthPort() : null)
                                .withProtocol("TCP")
                                .build())
                .withReadinessProbe(probe("/health", 5, 3))
                .withLivenessProbe(probe("/livez", 20, 6))
                .withResources(spec.spec().resources)
                .withNewSecurityContext()
                .withAllowPrivilegeEscalation(false)
                .withReadOnlyRootFilesystem(true)
                .withRunAsNonRoot(true)
                .withNewCapabilities()
                .withDrop("ALL")
                .endCapabilities()
                .endSecurityContext()
                .addNewVolumeMount()
                .withName("data")
                .withMountPath(ConfigRenderer.DATA_DIR)
                .endVolumeMount()
                .addNewVolumeMount()
                .withName("tmp")
                .withMountPath("/tmp")
                .endVolumeMount()
                .endContainer()
                // Audit log and state: per pod; the durable record is the CR status. Bounded,
                // so a noisy peer cannot fill the node's disk: the audit log rotates at
                // 100 MiB and keeps 5 old files (600 MiB at most), state is a few kB.
                .addNewVolume()
                .withName("data")
                .withNewEmptyDir()
                .withSizeLimit(DATA_LIMIT)
                .endEmptyDir()
                .endVolume()
                .addNewVolume()
                .withName("tmp")
                .withNewEmptyDir()
                .withSizeLimit(TMP_LIMIT)
                .endEmptyDir()
                .endVolume()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }

    /** Readiness on /health (503 while draining), liveness on /livez (200 while draining, so a long drain is not restarted). */
    private static Probe probe(String path, int periodSeconds, int failureThreshold) {
        return new ProbeBuilder()
                .withNewHttpGet()
                .withPath(path)
                .withPort(new IntOrString("health"))
                .endHttpGet()
                .withPeriodSeconds(periodSeconds)
                .withFailureThreshold(failureThreshold)
                .build();
    }

    /** Required node affinity on the node's name (metadata.name, a field, not the hostname label). */
    private static Affinity pinnedTo(String node) {
        return new AffinityBuilder()
                .withNewNodeAffinity()
                .withNewRequiredDuringSchedulingIgnoredDuringExecution()
                .addNewNodeSelectorTerm()
                .addNewMatchField()
                .withKey("metadata.name")
                .withOperator("In")
                .withValues(node)
                .endMatchField()
                .endNodeSelectorTerm()
                .endRequiredDuringSchedulingIgnoredDuringExecution()
                .endNodeAffinity()
                .build();
    }

    private static List<EnvVar> env(ReflectorInstance instance, EffectiveSpec spec, Optional<String> node) {
        List<EnvVar> env = new ArrayList<>(common(instance, spec, node));
        // Tells the reflector to report into status.nodeReports under its node's name.
        node.ifPresent(n -> env.add(new EnvVarBuilder()
                .withName("REFLECTOR_STATUS_SCOPE")
                .withValue("node")
                .build()));
        return env;
    }

    private static List<EnvVar> common(ReflectorInstance instance, EffectiveSpec spec, Optional<String> node) {
        return List.of(
                fieldRef("POD_NAME", "metadata.name"),
                fieldRef("POD_NAMESPACE", "metadata.namespace"),
                fieldRef("NODE_NAME", "spec.nodeName"),
                fieldRef("HOST_IP", "status.hostIP"),
                new EnvVarBuilder()
                        .withName("REFLECTOR_IDENTITY_SECRET")
                        .withValue(node.map(n -> Names.nodeIdentitySecret(instance, n))
                                .orElseGet(spec::identitySecretName))
                        .build(),
                new EnvVarBuilder()
                        .withName("REFLECTOR_IDENTITY_KEY")
                        .withValue(spec.identitySecretKey())
                        .build(),
                new EnvVarBuilder()
                        .withName("REFLECTOR_CONFIG_SECRET")
                        .withValue(Names.configSecret(instance))
                        .build(),
                new EnvVarBuilder()
                        .withName("REFLECTOR_CONFIG_KEY")
                        .withValue(Labels.CONFIG_KEY)
                        .build());
    }

    private static EnvVar fieldRef(String name, String path) {
        return new EnvVarBuilder()
                .withName(name)
                .withNewValueFrom()
                // The API server defaults apiVersion, and fieldRef is an atomic struct to
                // server-side apply: left out, the matcher would see every Deployment as changed
                // and re-apply it on every reconcile.
                .withNewFieldRef()
                .withApiVersion("v1")
                .withFieldPath(path)
                .endFieldRef()
                .endValueFrom()
                .build();
    }
}
