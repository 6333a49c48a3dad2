package io.packetparamedic.operator;

import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.MaxReconciliationInterval;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.retry.GradualRetry;
import io.packetparamedic.api.crd.AuthorizedPeer;
import io.packetparamedic.api.crd.AuthorizedPeerStatus;
import io.packetparamedic.api.crd.AuthorizedPeerStatus.State;
import io.packetparamedic.api.crd.FieldManagers;
import io.packetparamedic.api.crd.Labels;
import io.packetparamedic.api.crd.ReflectorInstance;
import io.packetparamedic.api.identity.EndpointId;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Validates an AuthorizedPeer and reports where it is in effect. The schema already enforces the
 * Endpoint ID's form; only the check symbol needs code (api {@link EndpointId#parse}). The peer
 * reaches the reflectors' configs through the instance controller, which watches peers; this
 * controller only writes the peer's operator-owned status.
 */
@ControllerConfiguration(
        name = AuthorizedPeerReconciler.NAME,
        fieldManager = FieldManagers.OPERATOR,
        // Thousands of peers: kept lean (LeanPeers), and listed in pages at start-up rather
        // than held all at once, with their managedFields, in one response.
        informer = @Informer(genericFilter = LeanPeers.KeepStatus.class, informerListLimit = PeerIndex.LIST_PAGE),
        maxReconciliationInterval = @MaxReconciliationInterval(interval = 10, timeUnit = TimeUnit.MINUTES))
// Never gives up: a failure the user fixes (a Secret, a spec) must heal without an operator restart.
@GradualRetry(maxAttempts = -1, initialInterval = 2_000, intervalMultiplier = 2, maxInterval = 300_000)
public class AuthorizedPeerReconciler implements Reconciler<AuthorizedPeer> {

    public static final String NAME = "authorizedpeer";
    public static final String VALID = "Valid";
    public static final String ACTIVE = "Active";
    /** Set by the PairingWindow controller on the peers it creates. */
    public static final String PAIRED_AT_ANNOTATION = Labels.GROUP + "/paired-at";

    private final AppliedPeers appliedPeers = new AppliedPeers();

    @Override
    public List<EventSource<?, AuthorizedPeer>> prepareEventSources(EventSourceContext<AuthorizedPeer> context) {
        var peers = context.getPrimaryCache();
        peers.addIndexer(PeerIndex.NAME, PeerIndex::keys);
        // Instances appearing, disappearing or being relabelled change where a peer is in effect.
        var instances = new InformerEventSource<>(
                InformerEventSourceConfiguration.from(ReflectorInstance.class, AuthorizedPeer.class)
                        // Its own peers, and every selecting peer (it may select the instance no more).
                        .withSecondaryToPrimaryMapper((ReflectorInstance i) -> PeerIndex.candidates(peers, i)
                                .map(ResourceID::fromResource)
                                .collect(Collectors.toSet()))
                        .withOnUpdateFilter((o, n) -> !Objects.equals(
                                        o.getMetadata().getLabels(),
                                        n.getMetadata().getLabels())
                                || !Objects.equals(appliedConfigHash(o), appliedConfigHash(n)))
                        .build(),
                context);
        // Ready needs the config's content. The pod's report usually arrives after this informer
        // saw the Secret; when the Secret arrives second, its event re-checks the instance's peers.
        var configs = new InformerEventSource<>(
                InformerEventSourceConfiguration.from(Secret.class, AuthorizedPeer.class)
                        .withLabelSelector(Names.CONFIG_SECRETS)
                        .withSecondaryToPrimaryMapper((Secret secret) -> instances
                                .get(new ResourceID(
                                        Names.ownerName(secret),
                                        secret.getMetadata().getNamespace()))
                                .filter(i -> AppliedPeers.caughtUp(i, secret))
                                .map(i -> PeerIndex.selecting(peers, i).stream()
                                        .map(ResourceID::fromResource)
                                        .collect(Collectors.toSet()))
                                .orElse(Set.of()))
                        .build(),
                context);
        return List.of(instances, configs);
    }

    @Override
    public ErrorStatusUpdateControl<AuthorizedPeer> updateErrorStatus(
            AuthorizedPeer peer, Context<AuthorizedPeer> context, Exception e) {
        return FailureStatus.record(peer, context, e, AuthorizedPeerStatus.class, AuthorizedPeerStatus.OPERATOR_FIELDS);
    }

    @Override
    public UpdateControl<AuthorizedPeer> reconcile(AuthorizedPeer peer, Context<AuthorizedPeer> context) {
        Instant now = Instant.now();
        AuthorizedPeerStatus previous = peer.getStatus() != null ? peer.getStatus() : new AuthorizedPeerStatus();
        var instances = Informers.of(context, ReflectorInstance.class);
        List<ReflectorInstance> selected = instances
                .list(peer.getMetadata().getNamespace(), i -> PeerSelection.appliesTo(peer, i))
                .sorted(Comparator.comparing(i -> i.getMetadata().getName()))
                .toList();
        List<String> reflectors =
                selected.stream().map(i -> i.getMetadata().getName()).toList();

        PeerEndpoint endpoint = PeerEndpoint.of(peer);
        Optional<String> invalid = endpoint.problem();
        boolean valid = invalid.isEmpty();
        boolean disabled = PeerSelection.disabled(peer);
        boolean expired = PeerSelection.expired(peer, now);

        AuthorizedPeerStatus s = new AuthorizedPeerStatus();
        s.observedGeneration = peer.getMetadata().getGeneration();
        Conditions c = new Conditions(previous.conditions, s.observedGeneration);
        c.set(
                VALID,
                valid,
                valid ? "EndpointIdValid" : "InvalidEndpointId",
                valid ? "Endpoint ID and check symbol are valid" : invalid.get());
        boolean active = valid && !disabled && !expired && !reflectors.isEmpty();
        String reason = !valid
                ? "Invalid"
                : disabled ? "Disabled" : expired ? "Expired" : reflectors.isEmpty() ? "NoReflector" : "InEffect";
        String message = switch (reason) {
            case "Invalid" -> "not in any config: the Endpoint ID is invalid";
            case "Disabled" -> "spec.disabled is true; removed from the reflectors' configs";
            case "Expired" -> "expired at " + peer.getSpec().expiresAt + "; removed from the reflectors' configs";
            case "NoReflector" -> "no ReflectorInstance in this namespace matches";
            default -> "in the config of " + String.join(", ", reflectors);
        };
        c.set(ACTIVE, active, reason, message);
        List<String> serving = active ? serving(endpoint.id().orElseThrow(), selected, context) : List.of();
        s.state = !valid
                ? State.Invalid
                : disabled
                        ? State.Disabled
                        : expired
                                ? State.Expired
                                : reflectors.isEmpty()
                                        ? State.NoReflector
                                        : serving.isEmpty() ? State.Pending : State.Active;
        c.set(
                Conditions.READY,
                s.state == State.Active,
                s.state == State.Active ? "Applied" : s.state == State.Pending ? "AwaitingReflector" : reason,
                s.state == State.Active
                        ? "served by " + String.join(", ", serving)
                        : s.state == State.Pending ? message + "; no reflector has applied that config yet" : message);
        s.conditions = c.build();
        s.shortEndpointId = endpoint.id().map(EndpointId::shortForm).orElse(null);
        s.reflectors = active ? reflectors : null;
        Map<String, String> annotations = peer.getMetadata().getAnnotations() == null
                ? Map.of()
                : peer.getMetadata().getAnnotations();
        s.pairedVia = annotations.get(Labels.PAIRED_VIA_ANNOTATION);
        s.pairedAt = annotations.get(PAIRED_AT_ANNOTATION);

        if (!valid && !Conditions.isFalse(previous.conditions, VALID)) {
            KubeEvents.warning(context.getClient(), peer, KubeEvents.PEER_INVALID, invalid.get());
        }
        StatusApplier.applyIfChanged(context.getClient(), peer, s, AuthorizedPeerStatus.OPERATOR_FIELDS);
        var control = UpdateControl.<AuthorizedPeer>noUpdate();
        // Look again when the peer expires, so Active turns False on time.
        PeerSelection.expiresAt(peer)
                .filter(t -> t.isAfter(now))
                .ifPresent(t -> control.rescheduleAfter(Duration.between(now, t).plusMillis(500)));
        return control;
    }

    /** The selected instances whose pod serves a config that lists the peer. */
    private List<String> serving(EndpointId id, List<ReflectorInstance> selected, Context<AuthorizedPeer> context) {
        var configs = Informers.of(context, Secret.class);
        return selected.stream()
                .filter(i -> appliedPeers.serves(
                        i,
                        configs.get(new ResourceID(
                                Names.configSecret(i), i.getMetadata().getNamespace())),
                        id))
                .map(i -> i.getMetadata().getName())
                .toList();
    }

    private static String appliedConfigHash(ReflectorInstance i) {
        return AppliedConfigHash.of(i);
    }
}
