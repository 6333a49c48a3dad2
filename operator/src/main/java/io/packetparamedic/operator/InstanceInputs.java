package io.packetparamedic.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.packetparamedic.api.crd.AuthorizedPeer;
import io.packetparamedic.api.crd.Labels;
import io.packetparamedic.api.crd.PairingWindow;
import io.packetparamedic.api.crd.PairingWindowStatus;
import io.packetparamedic.api.crd.ReflectorInstance;
import io.packetparamedic.api.kube.SecretData;
import io.packetparamedic.api.pairing.PairingCodes;
import io.packetparamedic.api.time.Rfc3339;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.jboss.logging.Logger;

/**
 * What an instance's config is made of besides its spec: the AuthorizedPeers in effect for it
 * and the codes of its open PairingWindows. Peers, windows and the operator's generated code
 * Secrets come from the instance controller's informer caches, so rendering the config (on every
 * heartbeat) makes no API call; only a code in a user's own Secret (spec.codeSecretRef, which
 * carries no operator label and so is in no cache) is read through the API, while its window is open.
 */
public final class InstanceInputs {
    private static final Logger LOG = Logger.getLogger(InstanceInputs.class);

    private InstanceInputs() {}

    public static List<PeerInEffect> peersInEffect(
            ReflectorInstance instance, Context<ReflectorInstance> context, Instant now) {
        return peersSelecting(instance, context).stream()
                .flatMap(p -> PeerSelection.inEffect(p, now).stream())
                .toList();
    }

    /** Every AuthorizedPeer that names or selects the instance, in effect or not: the peers its pod may report on. */
    public static List<AuthorizedPeer> peersSelecting(ReflectorInstance instance, Context<ReflectorInstance> context) {
        return PeerIndex.selecting(Informers.of(context, AuthorizedPeer.class), instance);
    }

    public static List<PairingWindow> openWindows(
            ReflectorInstance instance, Context<ReflectorInstance> context, Instant now) {
        return Informers.of(context, PairingWindow.class)
                .list(instance.getMetadata().getNamespace(), w -> isOpenFor(w, instance, now))
                .sorted(Comparator.comparing(w -> w.getMetadata().getName()))
                .toList();
    }

    public static List<ConfigRenderer.OpenCode> openCodes(
            ReflectorInstance instance, Context<ReflectorInstance> context, Instant now) {
        List<ConfigRenderer.OpenCode> codes = new ArrayList<>();
        for (PairingWindow w : openWindows(instance, context, now)) {
            String code = codeSecret(w, context).flatMap(s -> code(w, s)).orElse(null);
            if (!PairingCodes.isValid(code)) {
                LOG.warnf(
                        "event=pairing_code_unavailable window=%s secret=%s", w.windowKey(), w.getStatus().codeSecret);
                continue;
            }
            codes.add(
                    new ConfigRenderer.OpenCode(PairingCodes.normalize(code), w.getStatus().expiresAt, w.windowKey()));
        }
        return codes;
    }

    /** The window's code Secret: a generated one from the cache, a user's own through the API. */
    private static Optional<Secret> codeSecret(PairingWindow w, Context<ReflectorInstance> context) {
        String namespace = w.getMetadata().getNamespace();
        if (w.getSpec().codeSecretRef == null) {
            return Informers.of(context, Secret.class, ReflectorInstanceReconciler.PAIRING_CODES)
                    .get(new ResourceID(w.getStatus().codeSecret, namespace));
        }
        return Optional.ofNullable(context.getClient()
                .secrets()
                .inNamespace(namespace)
                .withName(w.getStatus().codeSecret)
                .get());
    }

    private static Optional<String> code(PairingWindow w, Secret secret) {
        String key = w.getSpec().codeSecretRef != null
                ? w.getSpec().codeSecretRef.keyOr(Labels.PAIRING_CODE_KEY)
                : Labels.PAIRING_CODE_KEY;
        try {
            return SecretData.text(secret, key);
        } catch (IllegalArgumentException notBase64) {
            return Optional.empty();
        }
    }

    /**
     * Where a PerNode instance runs now, from the Node informer's cache; empty for a Single
     * instance. Worked out once per reconcile, with one clock reading, and shared through the
     * reconcile's Context by the dependents (which JOSDK runs in parallel) and the reconciler:
     * asked separately at a grace expiry, the identity Secrets could see a node gone while the
     * Deployments still see it, and the Secret would be deleted under a running pod and made
     * again with a new seed (a new Endpoint ID).
     */
    public static FleetPlacement placement(ReflectorInstance instance, Context<ReflectorInstance> context) {
        if (!FleetPlacement.perNode(instance)) return new FleetPlacement(List.of());
        var shared = context.managedWorkflowAndDependentResourceContext();
        synchronized (shared) {
            Optional<FleetPlacement> known = shared.get(FleetPlacement.class, FleetPlacement.class);
            if (known.isPresent()) return known.get();
            List<Node> nodes = Informers.of(context, Node.class).list(n -> true).toList();
            FleetPlacement placement = FleetPlacement.of(
                    instance,
                    nodes,
                    Instant.now(),
                    OperatorSettings.nodeGracePeriod(),
                    OperatorSettings.heartbeatStaleAfter());
            shared.put(FleetPlacement.class, placement);
            return placement;
        }
    }

    /** Per-node objects by the node they were made for (objects without a node annotation are left out). */
    static <R extends HasMetadata> Map<String, R> byNode(Collection<R> owned) {
        Map<String, R> byNode = new TreeMap<>();
        for (R r : owned) Names.node(r).ifPresent(node -> byNode.put(node, r));
        return byNode;
    }

    static boolean isOpenFor(PairingWindow w, ReflectorInstance instance, Instant now) {
        PairingWindowStatus s = w.getStatus();
        return w.getSpec() != null
                && w.getSpec().reflectorRef != null
                && Objects.equals(
                        w.getSpec().reflectorRef.name, instance.getMetadata().getName())
                && s != null
                && s.phase == PairingWindowStatus.Phase.Open
                && s.codeSecret != null
                && Rfc3339.tryParse(s.expiresAt).map(now::isBefore).orElse(false);
    }
}
