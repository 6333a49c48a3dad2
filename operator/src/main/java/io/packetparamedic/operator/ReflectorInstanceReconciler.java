package io.packetparamedic.operator;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.MaxReconciliationInterval;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.retry.GradualRetry;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.packetparamedic.api.crd.AuthorizedPeer;
import io.packetparamedic.api.crd.FieldManagers;
import io.packetparamedic.api.crd.PairingWindow;
import io.packetparamedic.api.crd.ReflectorInstance;
import io.packetparamedic.api.crd.ReflectorInstanceStatus;
import io.packetparamedic.api.identity.EndpointId;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Orchestrates one ReflectorInstance: the dependents produce the owned objects (each class
 * reads like the YAML it applies); this class only works out the status from what exists and
 * what the pod reports, records events, and decides when to look again.
 *
 * <p>Not generation-aware: the pod's heartbeats change only the status, and Ready depends on
 * them. Peers and windows are watched through informers mapped back to the instances they apply
 * to; other instances are watched for host-port overlaps.
 */
@Workflow(dependents = {
    @Dependent(name = IdentitySecretDependent.NAME, type = IdentitySecretDependent.class,
            reconcilePrecondition = GeneratedIdentityCondition.class),
    @Dependent(name = "service-account", type = ReflectorServiceAccountDependent.class),
    @Dependent(name = ReflectorRoleDependent.NAME, type = ReflectorRoleDependent.class),
    // After the Role: a pairing code reaches the pod only once the pod may report the window.
    @Dependent(name = ConfigSecretDependent.NAME, type = ConfigSecretDependent.class, dependsOn = ReflectorRoleDependent.NAME),
    @Dependent(name = "role-binding", type = ReflectorRoleBindingDependent.class),
    @Dependent(name = ReflectorInstanceReconciler.DEPLOYMENT, type = ReflectorDeploymentDependent.class,
            reconcilePrecondition = DeployableCondition.class)
})
@ControllerConfiguration(name = ReflectorInstanceReconciler.NAME, generationAwareEventProcessing = false,
        fieldManager = FieldManagers.OPERATOR,
        maxReconciliationInterval = @MaxReconciliationInterval(interval = 5, timeUnit = TimeUnit.MINUTES))
// Never gives up: a failure the user fixes (a Secret, a spec) must heal without an operator restart.
@GradualRetry(maxAttempts = -1, initialInterval = 2_000, intervalMultiplier = 2, maxInterval = 300_000)
public class ReflectorInstanceReconciler implements Reconciler<ReflectorInstance> {

    public static final String NAME = "reflectorinstance";
    static final String DEPLOYMENT = "deployment";
    static final String NEIGHBOURS = "neighbours";

    public static final String READY = "Ready";
    public static final String IDENTITY_READY = "IdentityReady";
    public static final String PROGRESSING = "Progressing";
    public static final String DEGRADED = "Degraded";
    static final Duration AWAITING_POD_RECHECK = Duration.ofSeconds(5);
    /**
     * How long after a rotation the pod may still serve the previous Endpoint ID before the
     * instance counts as Degraded: a rolling restart, an image pull and the first heartbeat fit
     * well within it.
     */
    public static final Duration ROTATION_GRACE = Duration.ofMinutes(10);
    public static final String IDENTITY_ROTATING = "IdentityRotating";
    public static final String PORT_CONFLICT = "PortConflict";
    public static final String IMAGE_NOT_ALLOWED = "ImageNotAllowed";

    private static final Logger LOG = Logger.getLogger(ReflectorInstanceReconciler.class);

    @Override
    public List<EventSource<?, ReflectorInstance>> prepareEventSources(EventSourceContext<ReflectorInstance> context) {
        var cache = context.getPrimaryCache();
        // A peer names one instance, or selects instances by label in its namespace.
        var peers = new InformerEventSource<>(InformerEventSourceConfiguration
                .from(AuthorizedPeer.class, ReflectorInstance.class)
                .withSecondaryToPrimaryMapper((AuthorizedPeer p) -> {
                    if (p.getSpec() == null) return Set.of();
                    if (p.getSpec().reflectorRef != null) {
                        return Set.of(new ResourceID(p.getSpec().reflectorRef.name, p.getMetadata().getNamespace()));
                    }
                    return cache.list(p.getMetadata().getNamespace(), i -> PeerSelection.appliesTo(p, i))
                            .map(ResourceID::fromResource).collect(Collectors.toSet());
                })
                // The pod's status updates (lastSeenTime, counters) do not change any config.
                .withOnUpdateFilter((o, n) -> !Objects.equals(o.getMetadata().getGeneration(), n.getMetadata().getGeneration())
                        || !Objects.equals(o.getMetadata().getLabels(), n.getMetadata().getLabels()))
                .build(), context);
        var windows = new InformerEventSource<>(InformerEventSourceConfiguration
                .from(PairingWindow.class, ReflectorInstance.class)
                .withSecondaryToPrimaryMapper((PairingWindow w) -> w.getSpec() == null || w.getSpec().reflectorRef == null
                        ? Set.of()
                        : Set.of(new ResourceID(w.getSpec().reflectorRef.name, w.getMetadata().getNamespace())))
                .withOnUpdateFilter((o, n) -> !Objects.equals(phase(o), phase(n))
                        || !Objects.equals(codeSecret(o), codeSecret(n))
                        || !Objects.equals(o.getMetadata().getGeneration(), n.getMetadata().getGeneration()))
                .build(), context);
        // When an instance's ports or placement change, re-check the instances it now overlaps
        // and those that currently report an overlap (which may have gone away). Same namespaces
        // as the controller: instances the operator does not watch are not its concern.
        var neighbours = new InformerEventSource<>(InformerEventSourceConfiguration
                .from(ReflectorInstance.class, ReflectorInstance.class)
                .withName(NEIGHBOURS)
                .withSecondaryToPrimaryMapper((ReflectorInstance changed) -> Stream.concat(
                                cache.list(i -> PortConflicts.conflict(EffectiveSpec.of(i), EffectiveSpec.of(changed))),
                                cache.list(i -> i.getStatus() != null && Conditions.isTrue(i.getStatus().conditions, PORT_CONFLICT)))
                        .filter(i -> !Names.key(i).equals(Names.key(changed)))
                        .map(ResourceID::fromResource)
                        .collect(Collectors.toSet()))
                .withOnUpdateFilter((o, n) -> !Objects.equals(o.getMetadata().getGeneration(), n.getMetadata().getGeneration()))
                .build(), context);
        return List.of(peers, windows, neighbours);
    }

    @Override
    public ErrorStatusUpdateControl<ReflectorInstance> updateErrorStatus(ReflectorInstance instance, Context<ReflectorInstance> context, Exception e) {
        return FailureStatus.record(instance, context, e, ReflectorInstanceStatus.class, ReflectorInstanceStatus.OPERATOR_FIELDS);
    }

    @Override
    public UpdateControl<ReflectorInstance> reconcile(ReflectorInstance instance, Context<ReflectorInstance> context) {
        Instant now = Instant.now();
        ReflectorInstanceStatus previous = instance.getStatus() != null ? instance.getStatus() : new ReflectorInstanceStatus();
        EffectiveSpec spec = EffectiveSpec.of(instance);

        Optional<Secret> generated = dependent(context, IdentitySecretDependent.NAME)
                .flatMap(d -> ((IdentitySecretDependent) d).getSecondaryResource(instance, context));
        IdentityResolver.Identity identity = IdentityResolver.resolve(instance, generated, context.getClient());
        Optional<Deployment> deployment = dependent(context, DEPLOYMENT)
                .flatMap(d -> ((ReflectorDeploymentDependent) d).getSecondaryResource(instance, context));
        List<AuthorizedPeer> peers = InstanceInputs.peersInEffect(instance, context, now);
        List<PairingWindow> windows = InstanceInputs.openWindows(instance, context, now);
        @SuppressWarnings("unchecked")
        var neighbours = (InformerEventSource<ReflectorInstance, ReflectorInstance>)
                context.eventSourceRetriever().getEventSourceFor(ReflectorInstance.class, NEIGHBOURS);
        List<PortConflicts.Conflict> conflicts = PortConflicts.with(instance, neighbours.list(i -> true));

        ReflectorInstanceStatus s = new ReflectorInstanceStatus();
        s.observedGeneration = instance.getMetadata().getGeneration();
        s.identitySecret = identity.secretName();
        s.configSecret = Names.configSecret(instance);
        s.authorizedPeers = (int) peers.stream().map(p -> PeerSelection.endpointId(p).orElseThrow()).distinct().count();
        s.endpointId = identity.endpointId().map(EndpointId::toString).orElse(previous.endpointId);
        s.shortEndpointId = identity.endpointId().map(EndpointId::shortForm).orElse(previous.shortEndpointId);
        s.previousEndpointIds = previous.previousEndpointIds;
        s.identityRotatedAt = previous.identityRotatedAt;
        Optional<Secret> configSecret = dependent(context, ConfigSecretDependent.NAME)
                .flatMap(d -> ((ConfigSecretDependent) d).getSecondaryResource(instance, context));
        s.configHash = configSecret.flatMap(ConfigDigest::of).orElse(null);
        // From the same Secret version as configHash: a window counts as live only once the pod
        // serves a config that really carries its code (a code Secret not yet readable leaves it out).
        List<String> rendered = configSecret.map(c -> RenderedConfig.windows(c, instance.getMetadata().getNamespace())).orElse(List.of());
        s.openPairingWindows = rendered.isEmpty() ? null : rendered;
        recordIdentityChange(instance, context, previous, identity, s);
        s.address = address(spec, previous);

        // Ready means a live data plane: the Deployment exists and the pod reports, recently,
        // the Endpoint ID the operator expects.
        Duration staleAfter = OperatorSettings.heartbeatStaleAfter();
        Optional<Instant> heartbeat = parse(previous.lastHeartbeat);
        boolean fresh = heartbeat.map(h -> h.plus(staleAfter).isAfter(now)).orElse(false);
        boolean idMatches = s.endpointId != null && s.endpointId.equals(previous.reportedEndpointId);
        Optional<Instant> rotationDeadline = parse(s.identityRotatedAt).map(t -> t.plus(ROTATION_GRACE));
        // A planned rotation: the pod still serves an ID the operator replaced a moment ago.
        boolean rotating = !idMatches && previous.reportedEndpointId != null && s.previousEndpointIds != null
                && s.previousEndpointIds.contains(previous.reportedEndpointId)
                && rotationDeadline.map(now::isBefore).orElse(false);
        boolean identityOk = identity.endpointId().isPresent();
        Optional<String> imageRefused = ImagePolicy.refusal(spec);
        boolean ready = identityOk && imageRefused.isEmpty() && deployment.isPresent() && fresh && idMatches;
        // Pods the namespace's Pod Security admission refuses never start: say so, with the fix,
        // instead of waiting for a heartbeat that cannot come.
        Optional<String> podSecurity = deployment.flatMap(d -> podSecurityRejection(instance, d));
        if (podSecurity.isPresent()) ready = false;

        Conditions c = new Conditions(previous.conditions, s.observedGeneration);
        c.set(IDENTITY_READY, identityOk, identity.reason(), identity.message());
        String readyReason;
        String readyMessage;
        if (!identityOk) {
            readyReason = "IdentityNotReady";
            readyMessage = identity.message();
        } else if (imageRefused.isPresent()) {
            readyReason = IMAGE_NOT_ALLOWED;
            readyMessage = imageRefused.get() + "; no Deployment is created";
        } else if (deployment.isEmpty()) {
            readyReason = "DeploymentMissing";
            readyMessage = "Deployment " + Names.reflector(instance) + " is being created";
        } else if (podSecurity.isPresent()) {
            readyReason = KubeEvents.POD_SECURITY_REJECTED;
            readyMessage = podSecurity.get();
        } else if (heartbeat.isEmpty()) {
            readyReason = "AwaitingHeartbeat";
            readyMessage = "the reflector has not reported yet";
        } else if (!fresh) {
            readyReason = "HeartbeatStale";
            readyMessage = "last heartbeat " + previous.lastHeartbeat + " is older than " + staleAfter.toSeconds() + "s";
        } else if (rotating) {
            readyReason = IDENTITY_ROTATING;
            readyMessage = "rotating to " + s.endpointId + ": the reflector still serves the previous " + previous.reportedEndpointId
                    + " (Degraded if it still does at " + rotationDeadline.get() + ")";
        } else if (!idMatches) {
            readyReason = "EndpointIdMismatch";
            readyMessage = "the reflector serves " + previous.reportedEndpointId + ", expected " + s.endpointId;
        } else {
            readyReason = "HeartbeatFresh";
            readyMessage = "the reflector reported at " + previous.lastHeartbeat;
        }
        c.set(READY, ready, readyReason, readyMessage);
        boolean identityBroken = !identityOk && !"Creating".equals(identity.reason());
        boolean rejected = KubeEvents.POD_SECURITY_REJECTED.equals(readyReason);
        boolean mismatch = "EndpointIdMismatch".equals(readyReason);
        boolean stale = "HeartbeatStale".equals(readyReason);
        boolean imageBlocked = IMAGE_NOT_ALLOWED.equals(readyReason);
        boolean blocked = imageBlocked || rejected;
        boolean progressing = !ready && !identityBroken && !blocked && !mismatch && !stale;
        c.set(PROGRESSING, progressing, progressing ? readyReason : "Settled",
                progressing ? readyMessage : "nothing in progress");
        boolean degraded = identityBroken || blocked || mismatch || stale || !conflicts.isEmpty();
        String degradedReason = identityBroken ? identity.reason() : imageBlocked ? IMAGE_NOT_ALLOWED
                : rejected ? KubeEvents.POD_SECURITY_REJECTED
                : mismatch ? "EndpointIdMismatch"
                : stale ? "HeartbeatStale" : !conflicts.isEmpty() ? PORT_CONFLICT : "AsExpected";
        String degradedMessage = identityBroken || blocked || mismatch || stale ? (identityBroken ? identity.message() : readyMessage)
                : !conflicts.isEmpty() ? conflictMessage(conflicts) : "no problems found";
        c.set(DEGRADED, degraded, degradedReason, degradedMessage);
        c.set(PORT_CONFLICT, !conflicts.isEmpty(), conflicts.isEmpty() ? "NoOverlap" : "HostPortsOverlap",
                conflicts.isEmpty() ? "no hostNetwork instance created earlier that may share a node uses these ports"
                        : conflictMessage(conflicts));
        s.conditions = c.build();
        s.phase = degraded ? ReflectorInstanceStatus.Phase.Degraded
                : ready ? ReflectorInstanceStatus.Phase.Ready
                : s.endpointId == null ? ReflectorInstanceStatus.Phase.Pending
                : ReflectorInstanceStatus.Phase.Progressing;

        if (imageBlocked && !IMAGE_NOT_ALLOWED.equals(reasonOf(previous.conditions, DEGRADED))) {
            KubeEvents.warning(context.getClient(), instance, KubeEvents.IMAGE_NOT_ALLOWED, readyMessage);
        }
        if (rejected && !KubeEvents.POD_SECURITY_REJECTED.equals(reasonOf(previous.conditions, DEGRADED))) {
            KubeEvents.warning(context.getClient(), instance, KubeEvents.POD_SECURITY_REJECTED, readyMessage);
        }
        if (!conflicts.isEmpty() && !Conditions.isTrue(previous.conditions, PORT_CONFLICT)) {
            KubeEvents.warning(context.getClient(), instance, KubeEvents.PORT_CONFLICT, conflictMessage(conflicts));
        }
        StatusApplier.applyIfChanged(context.getClient(), instance, s, ReflectorInstanceStatus.OPERATOR_FIELDS);
        LOG.debugf("event=reconciled instance=%s phase=%s endpointId=%s peers=%d openWindows=%d",
                instance.instanceKey(), s.phase, s.endpointId, s.authorizedPeers, windows.size());
        Duration next = nextCheck(now, heartbeat, staleAfter, instance, context);
        if (rotating) next = min(next, Duration.between(now, rotationDeadline.get()).plusMillis(500));
        // While the first pod is awaited, look again soon: a Deployment whose pods admission
        // refuses changes only its status, which does not always reach this reconciler as an event.
        if ("AwaitingHeartbeat".equals(readyReason) || "DeploymentMissing".equals(readyReason)
                || KubeEvents.POD_SECURITY_REJECTED.equals(readyReason)) {
            next = min(next, AWAITING_POD_RECHECK);
        }
        return UpdateControl.<ReflectorInstance>noUpdate().rescheduleAfter(next);
    }

    /** Emits IdentityCreated / IdentityRotated by comparing with the recorded status, so a restart repeats nothing. */
    private static void recordIdentityChange(ReflectorInstance instance, Context<ReflectorInstance> context,
            ReflectorInstanceStatus previous, IdentityResolver.Identity identity, ReflectorInstanceStatus s) {
        if (identity.endpointId().isEmpty()) {
            if (!"Creating".equals(identity.reason())
                    && !Conditions.isFalse(previous.conditions, IDENTITY_READY)) {
                KubeEvents.warning(context.getClient(), instance, KubeEvents.IDENTITY_INVALID, identity.message());
            }
            return;
        }
        String current = identity.endpointId().get().toString();
        if (previous.endpointId == null) {
            KubeEvents.normal(context.getClient(), instance, KubeEvents.IDENTITY_CREATED,
                    (identity.generated() ? "generated identity " : "identity from Secret ") + identity.secretName()
                            + ": Endpoint ID " + current);
        } else if (!previous.endpointId.equals(current)) {
            List<String> old = new ArrayList<>();
            old.add(previous.endpointId);
            if (previous.previousEndpointIds != null) old.addAll(previous.previousEndpointIds);
            old.remove(current);
            s.previousEndpointIds = old.stream().distinct().limit(ReflectorInstanceStatus.MAX_PREVIOUS_ENDPOINT_IDS).toList();
            s.identityRotatedAt = Conditions.now();
            KubeEvents.normal(context.getClient(), instance, KubeEvents.IDENTITY_ROTATED,
                    "Endpoint ID " + previous.endpointId + " replaced by " + current);
        }
    }

    /** The soonest moment something time-based changes: a heartbeat going stale, a peer or window expiring. */
    private static Duration nextCheck(Instant now, Optional<Instant> heartbeat, Duration staleAfter,
            ReflectorInstance instance, Context<ReflectorInstance> context) {
        List<Instant> moments = new ArrayList<>();
        heartbeat.map(h -> h.plus(staleAfter)).filter(t -> t.isAfter(now)).ifPresent(moments::add);
        @SuppressWarnings("unchecked")
        var peers = (InformerEventSource<AuthorizedPeer, ReflectorInstance>)
                context.eventSourceRetriever().getEventSourceFor(AuthorizedPeer.class);
        peers.list(instance.getMetadata().getNamespace(), p -> PeerSelection.appliesTo(p, instance))
                .map(PeerSelection::expiresAt).flatMap(Optional::stream).filter(t -> t.isAfter(now)).forEach(moments::add);
        InstanceInputs.openWindows(instance, context, now).forEach(w -> moments.add(Instant.parse(w.getStatus().expiresAt)));
        Duration max = Duration.ofMinutes(5);
        return moments.stream().min(Instant::compareTo)
                .map(t -> Duration.between(now, t).plusMillis(500))
                .filter(d -> d.compareTo(max) < 0)
                .orElse(max);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static String address(EffectiveSpec spec, ReflectorInstanceStatus previous) {
        String host = spec.advertisedAddress().orElse(previous.advertisedAddress);
        if (host == null || host.isBlank()) return null;
        String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        return h + ":" + spec.controlPort();
    }

    /**
     * The Deployment's ReplicaFailure condition when Pod Security admission refused its pods
     * (the ReplicaSet controller's FailedCreate message names "PodSecurity"), as a message that
     * gives the fix.
     */
    static Optional<String> podSecurityRejection(ReflectorInstance instance, Deployment d) {
        if (d.getStatus() == null || d.getStatus().getConditions() == null) return Optional.empty();
        return d.getStatus().getConditions().stream()
                .filter(c -> "ReplicaFailure".equals(c.getType()) && "True".equals(c.getStatus()))
                .map(c -> c.getMessage() == null ? "" : c.getMessage())
                .filter(m -> m.contains("PodSecurity"))
                .findFirst()
                .map(m -> "Pod Security admission rejects the reflector's pods: " + m + ". A reflector with hostNetwork"
                        + " needs a namespace that allows it: kubectl label namespace " + instance.getMetadata().getNamespace()
                        + " pod-security.kubernetes.io/enforce=privileged --overwrite");
    }

    private static String reasonOf(List<io.fabric8.kubernetes.api.model.Condition> conditions, String type) {
        if (conditions == null) return null;
        return conditions.stream().filter(c -> type.equals(c.getType())).map(io.fabric8.kubernetes.api.model.Condition::getReason)
                .findFirst().orElse(null);
    }

    private static String conflictMessage(List<PortConflicts.Conflict> conflicts) {
        return conflicts.stream().map(PortConflicts.Conflict::describe).collect(Collectors.joining("; "));
    }

    private static Optional<io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource<?, ReflectorInstance>> dependent(
            Context<ReflectorInstance> context, String name) {
        return context.managedWorkflowAndDependentResourceContext().getWorkflowReconcileResult()
                .flatMap(r -> r.getDependentResourceByName(name))
                .map(d -> (io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource<?, ReflectorInstance>) d);
    }

    private static Optional<Instant> parse(String time) {
        if (time == null) return Optional.empty();
        try {
            return Optional.of(java.time.OffsetDateTime.parse(time).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private static Object phase(PairingWindow w) {
        return w.getStatus() == null ? null : w.getStatus().phase;
    }

    private static Object codeSecret(PairingWindow w) {
        return w.getStatus() == null ? null : w.getStatus().codeSecret;
    }

}
