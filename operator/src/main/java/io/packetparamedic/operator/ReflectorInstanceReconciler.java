package io.packetparamedic.operator;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Node;
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
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.retry.GradualRetry;
import io.packetparamedic.api.crd.AuthorizedPeer;
import io.packetparamedic.api.crd.FieldManagers;
import io.packetparamedic.api.crd.PairingWindow;
import io.packetparamedic.api.crd.ReflectorInstance;
import io.packetparamedic.api.crd.ReflectorInstanceStatus;
import io.packetparamedic.api.identity.EndpointId;
import io.packetparamedic.api.time.Rfc3339;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Orchestrates one ReflectorInstance: the dependents produce the owned objects (each class
 * reads like the YAML it applies); this class gathers what exists and what the pod reports from
 * the informer caches, hands it to {@link InstanceStatusCalculator} for the conditions and
 * phase, writes the status, records Events, and decides when to look again.
 *
 * <p>A PerNode instance (a fleet) has per-node Deployments and identity Secrets instead of the
 * single ones (the per-node dependents, {@link FleetPlacement}); its status is worked out by
 * {@link FleetReconcile}. Nodes are watched through an informer mapped to the PerNode instances.
 *
 * <p>Not generation-aware: the pod's heartbeats change only the status, and Ready depends on
 * them. Peers and windows are watched through informers mapped back to the instances they apply
 * to; other instances are watched for host-port overlaps.
 */
@Workflow(
        dependents = {
            @Dependent(
                    name = IdentitySecretDependent.NAME,
                    type = IdentitySecretDependent.class,
                    reconcilePrecondition = GeneratedIdentityCondition.class),
            @Dependent(name = "service-account", type = ReflectorServiceAccountDependent.class),
            @Dependent(name = ReflectorRoleDependent.NAME, type = ReflectorRoleDependent.class),
            // After the Role: a pairing code reaches the pod only once the pod may report the window.
            @Dependent(
                    name = ConfigSecretDependent.NAME,
                    type = ConfigSecretDependent.class,
                    dependsOn = ReflectorRoleDependent.NAME),
            @Dependent(name = ReflectorRoleBindingDependent.NAME, type = ReflectorRoleBindingDependent.class),
            @Dependent(
                    name = ReflectorInstanceReconciler.DEPLOYMENT,
                    type = ReflectorDeploymentDependent.class,
                    reconcilePrecondition = DeployableCondition.class),
            @Dependent(
                    name = NodeIdentitySecretsDependent.NAME,
                    type = NodeIdentitySecretsDependent.class,
                    reconcilePrecondition = PerNodeCondition.class),
            @Dependent(
                    name = NodeServiceAccountsDependent.NAME,
                    type = NodeServiceAccountsDependent.class,
                    reconcilePrecondition = PerNodeCondition.class),
            @Dependent(
                    name = NodeRolesDependent.NAME,
                    type = NodeRolesDependent.class,
                    reconcilePrecondition = PerNodeCondition.class),
            @Dependent(
                    name = NodeRoleBindingsDependent.NAME,
                    type = NodeRoleBindingsDependent.class,
                    reconcilePrecondition = PerNodeCondition.class),
            // After the node's identity Secret, its ServiceAccount and the Roles and bindings that
            // let its pod read the Secret and the config: a joining node's pod would otherwise
            // start into a missing Secret, a missing ServiceAccount or a 403 and crash-loop.
            @Dependent(
                    name = NodeDeploymentsDependent.NAME,
                    type = NodeDeploymentsDependent.class,
                    reconcilePrecondition = PerNodeDeployableCondition.class,
                    dependsOn = {
                        NodeIdentitySecretsDependent.NAME,
                        ReflectorRoleDependent.NAME,
                        ReflectorRoleBindingDependent.NAME,
                        NodeServiceAccountsDependent.NAME,
                        NodeRolesDependent.NAME,
                        NodeRoleBindingsDependent.NAME
                    })
        })
@ControllerConfiguration(
        name = ReflectorInstanceReconciler.NAME,
        generationAwareEventProcessing = false,
        fieldManager = FieldManagers.OPERATOR,
        maxReconciliationInterval = @MaxReconciliationInterval(interval = 5, timeUnit = TimeUnit.MINUTES))
// Never gives up: a failure the user fixes (a Secret, a spec) must heal without an operator restart.
@GradualRetry(maxAttempts = -1, initialInterval = 2_000, intervalMultiplier = 2, maxInterval = 300_000)
public class ReflectorInstanceReconciler implements Reconciler<ReflectorInstance> {

    public static final String NAME = "reflectorinstance";
    static final String DEPLOYMENT = "deployment";
    static final String NEIGHBOURS = "neighbours";
    /** The operator's generated pairing-code Secrets, so rendering a config reads codes from a cache. */
    static final String PAIRING_CODES = "pairing-codes";

    public static final String READY = "Ready";
    public static final String IDENTITY_READY = "IdentityReady";
    public static final String PROGRESSING = "Progressing";
    public static final String DEGRADED = "Degraded";
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

    /** The peer informer (its cache holds lean peers, spec only), for tests to look into. */
    private volatile InformerEventSource<AuthorizedPeer, ReflectorInstance> peerSource;

    InformerEventSource<AuthorizedPeer, ReflectorInstance> peerSource() {
        return peerSource;
    }

    @Override
    public List<EventSource<?, ReflectorInstance>> prepareEventSources(EventSourceContext<ReflectorInstance> context) {
        var cache = context.getPrimaryCache();
        // A peer names one instance, or selects instances by label in its namespace.
        var peers = new InformerEventSource<>(
                InformerEventSourceConfiguration.from(AuthorizedPeer.class, ReflectorInstance.class)
                        .withSecondaryToPrimaryMapper((AuthorizedPeer p) -> {
                            if (p.getSpec() == null) return Set.of();
                            if (p.getSpec().reflectorRef != null) {
                                return Set.of(new ResourceID(
                                        p.getSpec().reflectorRef.name,
                                        p.getMetadata().getNamespace()));
                            }
                            return cache.list(p.getMetadata().getNamespace(), i -> PeerSelection.appliesTo(p, i))
                                    .map(ResourceID::fromResource)
                                    .collect(Collectors.toSet());
                        })
                        // The pod's status updates (lastSeenTime, counters) do not change any config.
                        .withOnUpdateFilter((o, n) -> !Objects.equals(
                                        o.getMetadata().getGeneration(),
                                        n.getMetadata().getGeneration())
                                || !Objects.equals(
                                        o.getMetadata().getLabels(),
                                        n.getMetadata().getLabels()))
                        // Rendering reads the peers' specs only: no status, no managedFields kept.
                        .withGenericFilter(new LeanPeers.SpecOnly())
                        .withInformerListLimit(PeerIndex.LIST_PAGE)
                        .build(),
                context);
        peers.addIndexers(Map.of(PeerIndex.NAME, PeerIndex::keys));
        peerSource = peers;
        var windows = new InformerEventSource<>(
                InformerEventSourceConfiguration.from(PairingWindow.class, ReflectorInstance.class)
                        .withSecondaryToPrimaryMapper(
                                (PairingWindow w) -> w.getSpec() == null || w.getSpec().reflectorRef == null
                                        ? Set.of()
                                        : Set.of(new ResourceID(
                                                w.getSpec().reflectorRef.name,
                                                w.getMetadata().getNamespace())))
                        .withOnUpdateFilter((o, n) -> !Objects.equals(phase(o), phase(n))
                                || !Objects.equals(codeSecret(o), codeSecret(n))
                                || !Objects.equals(
                                        o.getMetadata().getGeneration(),
                                        n.getMetadata().getGeneration()))
                        .build(),
                context);
        // When an instance's ports or placement change, re-check the instances it now overlaps
        // and those that currently report an overlap (which may have gone away). Same namespaces
        // as the controller: instances the operator does not watch are not its concern.
        var neighbours = new InformerEventSource<>(
                InformerEventSourceConfiguration.from(ReflectorInstance.class, ReflectorInstance.class)
                        .withName(NEIGHBOURS)
                        .withSecondaryToPrimaryMapper((ReflectorInstance changed) -> Stream.concat(
                                        cache.list(i ->
                                                PortConflicts.conflict(EffectiveSpec.of(i), EffectiveSpec.of(changed))),
                                        cache.list(i -> i.getStatus() != null
                                                && Conditions.isTrue(i.getStatus().conditions, PORT_CONFLICT)))
                                .filter(i -> !Names.key(i).equals(Names.key(changed)))
                                .map(ResourceID::fromResource)
                                .collect(Collectors.toSet()))
                        .withOnUpdateFilter((o, n) -> !Objects.equals(
                                o.getMetadata().getGeneration(), n.getMetadata().getGeneration()))
                        .build(),
                context);
        // A generated code Secret (labelled, owned by its window) reaches the instance its window
        // names: the window may say Open before this informer has seen the Secret.
        var codes = new InformerEventSource<>(
                InformerEventSourceConfiguration.from(Secret.class, ReflectorInstance.class)
                        .withName(PAIRING_CODES)
                        .withLabelSelector(Names.PAIRING_CODE_SECRETS)
                        .withSecondaryToPrimaryMapper((Secret code) -> windows.get(new ResourceID(
                                        Names.ownerName(code),
                                        code.getMetadata().getNamespace()))
                                .filter(w -> w.getSpec() != null && w.getSpec().reflectorRef != null)
                                .map(w -> Set.of(new ResourceID(
                                        w.getSpec().reflectorRef.name,
                                        w.getMetadata().getNamespace())))
                                .orElse(Set.of()))
                        .build(),
                context);
        // PerNode instances follow the nodes: one joining, leaving, turning NotReady or
        // relabelled changes where they run. Node status heartbeats alone change nothing here.
        var nodes = new InformerEventSource<>(
                InformerEventSourceConfiguration.from(Node.class, ReflectorInstance.class)
                        .withWatchAllNamespaces()
                        .withFollowControllerNamespacesChanges(false)
                        .withSecondaryToPrimaryMapper((Node n) -> cache.list(FleetPlacement::perNode)
                                .map(ResourceID::fromResource)
                                .collect(Collectors.toSet()))
                        .withOnUpdateFilter(
                                (o, n) -> !NodeEligibility.placementFacts(o).equals(NodeEligibility.placementFacts(n)))
                        .build(),
                context);
        return List.of(peers, windows, neighbours, codes, nodes);
    }

    @Override
    public ErrorStatusUpdateControl<ReflectorInstance> updateErrorStatus(
            ReflectorInstance instance, Context<ReflectorInstance> context, Exception e) {
        return FailureStatus.record(
                instance, context, e, ReflectorInstanceStatus.class, ReflectorInstanceStatus.OPERATOR_FIELDS);
    }

    @Override
    public UpdateControl<ReflectorInstance> reconcile(ReflectorInstance instance, Context<ReflectorInstance> context) {
        Instant now = Instant.now();
        ReflectorInstanceStatus previous =
                instance.getStatus() != null ? instance.getStatus() : new ReflectorInstanceStatus();
        EffectiveSpec spec = EffectiveSpec.of(instance);

        List<PeerInEffect> peers = InstanceInputs.peersInEffect(instance, context, now);
        List<PairingWindow> windows = InstanceInputs.openWindows(instance, context, now);
        List<PortConflicts.Conflict> conflicts = PortConflicts.with(
                instance,
                Informers.of(context, ReflectorInstance.class, NEIGHBOURS).list(i -> true));

        ReflectorInstanceStatus s = new ReflectorInstanceStatus();
        s.observedGeneration = instance.getMetadata().getGeneration();
        s.configSecret = Names.configSecret(instance);
        s.authorizedPeers =
                (int) peers.stream().map(PeerInEffect::endpointId).distinct().count();
        Optional<Secret> configSecret = context.getSecondaryResource(Secret.class, ConfigSecretDependent.NAME);
        s.configHash = configSecret.flatMap(ConfigDigest::of).orElse(null);
        // From the same Secret version as configHash: a window counts as live only once the pod
        // serves a config that really carries its code (a code Secret not yet readable leaves it out).
        List<String> rendered = configSecret
                .map(c -> RenderedConfig.windows(c, instance.getMetadata().getNamespace()))
                .orElse(List.of());
        s.openPairingWindows = rendered.isEmpty() ? null : rendered;
        if (FleetPlacement.perNode(instance)) {
            return FleetReconcile.reconcile(instance, context, previous, spec, conflicts, s, now);
        }

        Optional<Secret> generated = context.getSecondaryResource(Secret.class, IdentitySecretDependent.NAME);
        IdentityResolver.Identity identity = IdentityResolver.resolve(instance, generated, context.getClient());
        Optional<Deployment> deployment = context.getSecondaryResource(Deployment.class, DEPLOYMENT);
        s.identitySecret = identity.secretName();
        s.endpointId = identity.endpointId().map(EndpointId::toString).orElse(previous.endpointId);
        s.shortEndpointId = identity.endpointId().map(EndpointId::shortForm).orElse(previous.shortEndpointId);
        IdentityHistory history = IdentityHistory.of(previous, identity, now);
        s.previousEndpointIds = history.previousEndpointIds();
        s.identityRotatedAt = history.identityRotatedAt();
        recordIdentityChange(instance, context, previous, identity, history.change());
        s.address = address(spec, previous);

        var verdict = InstanceStatusCalculator.calculate(new InstanceStatusCalculator.Observed(
                previous,
                s.observedGeneration,
                identity,
                s.endpointId,
                s.previousEndpointIds,
                s.identityRotatedAt,
                ImagePolicy.refusal(spec),
                Names.reflector(instance),
                deployment.isPresent(),
                deployment.flatMap(d -> InstanceStatusCalculator.podSecurityRejection(instance, d)),
                conflicts,
                OperatorSettings.heartbeatStaleAfter(),
                now));
        s.conditions = verdict.conditions();
        s.phase = verdict.phase();
        s.ready = verdict.ready() ? "True" : "False";
        recordProblems(instance, context, previous, verdict, conflicts);
        StatusApplier.applyIfChanged(context.getClient(), instance, s, ReflectorInstanceStatus.OPERATOR_FIELDS);
        LOG.debugf(
                "event=reconciled instance=%s phase=%s endpointId=%s peers=%d openWindows=%d",
                instance.instanceKey(), s.phase, s.endpointId, s.authorizedPeers, windows.size());
        Duration next = nextCheck(
                now, verdict.heartbeat().map(h -> h.plus(OperatorSettings.heartbeatStaleAfter())), instance, context);
        if (verdict.rotationDeadline().isPresent())
            next = min(
                    next,
                    Duration.between(now, verdict.rotationDeadline().get()).plusMillis(500));
        if (verdict.readiness().awaitsPod) next = min(next, AwaitingPodBackoff.next(previous, now));
        return UpdateControl.<ReflectorInstance>noUpdate().rescheduleAfter(next);
    }

    /** Warning Events for problems that need someone to act, once when each starts (not on every reconcile). */
    private static void recordProblems(
            ReflectorInstance instance,
            Context<ReflectorInstance> context,
            ReflectorInstanceStatus previous,
            InstanceStatusCalculator.Verdict verdict,
            List<PortConflicts.Conflict> conflicts) {
        String wasDegradedFor = Conditions.find(previous.conditions, DEGRADED)
                .map(Condition::getReason)
                .orElse(null);
        var readiness = verdict.readiness();
        if (readiness == InstanceStatusCalculator.Readiness.IMAGE_NOT_ALLOWED
                && !IMAGE_NOT_ALLOWED.equals(wasDegradedFor)) {
            KubeEvents.warning(context.getClient(), instance, KubeEvents.IMAGE_NOT_ALLOWED, verdict.readyMessage());
        }
        if (readiness == InstanceStatusCalculator.Readiness.POD_SECURITY_REJECTED
                && !KubeEvents.POD_SECURITY_REJECTED.equals(wasDegradedFor)) {
            KubeEvents.warning(context.getClient(), instance, KubeEvents.POD_SECURITY_REJECTED, verdict.readyMessage());
        }
        if (!conflicts.isEmpty() && !Conditions.isTrue(previous.conditions, PORT_CONFLICT)) {
            KubeEvents.warning(
                    context.getClient(), instance, KubeEvents.PORT_CONFLICT, PortConflicts.describe(conflicts));
        }
    }

    /** IdentityCreated / IdentityRotated / IdentityInvalid, once per change. */
    private static void recordIdentityChange(
            ReflectorInstance instance,
            Context<ReflectorInstance> context,
            ReflectorInstanceStatus previous,
            IdentityResolver.Identity identity,
            IdentityHistory.Change change) {
        var client = context.getClient();
        switch (change) {
            case INVALID -> KubeEvents.warning(client, instance, KubeEvents.IDENTITY_INVALID, identity.message());
            case CREATED ->
                KubeEvents.normal(
                        client,
                        instance,
                        KubeEvents.IDENTITY_CREATED,
                        (identity.generated() ? "generated identity " : "identity from Secret ") + identity.secretName()
                                + ": Endpoint ID " + identity.endpointId().orElseThrow());
            case ROTATED ->
                KubeEvents.normal(
                        client,
                        instance,
                        KubeEvents.IDENTITY_ROTATED,
                        "Endpoint ID " + previous.endpointId + " replaced by "
                                + identity.endpointId().orElseThrow());
            case NONE -> {}
        }
    }

    /** The soonest moment something time-based changes: a heartbeat going stale, a peer or window expiring. */
    static Duration nextCheck(
            Instant now, Optional<Instant> staleAt, ReflectorInstance instance, Context<ReflectorInstance> context) {
        List<Instant> moments = new ArrayList<>();
        staleAt.filter(t -> t.isAfter(now)).ifPresent(moments::add);
        InstanceInputs.peersSelecting(instance, context).stream()
                .map(PeerSelection::expiresAt)
                .flatMap(Optional::stream)
                .filter(t -> t.isAfter(now))
                .forEach(moments::add);
        InstanceInputs.openWindows(instance, context, now)
                .forEach(w -> moments.add(Rfc3339.parse(w.getStatus().expiresAt)));
        Duration max = Duration.ofMinutes(5);
        return moments.stream()
                .min(Instant::compareTo)
                .map(t -> Duration.between(now, t).plusMillis(500))
                .filter(d -> d.compareTo(max) < 0)
                .orElse(max);
    }

    static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static String address(EffectiveSpec spec, ReflectorInstanceStatus previous) {
        String host = spec.advertisedAddress().orElse(previous.advertisedAddress);
        if (host == null || host.isBlank()) return null;
        return InstanceStatusCalculator.hostPort(host, spec.controlPort());
    }

    private static Object phase(PairingWindow w) {
        return w.getStatus() == null ? null : w.getStatus().phase;
    }

    private static Object codeSecret(PairingWindow w) {
        return w.getStatus() == null ? null : w.getStatus().codeSecret;
    }
}
