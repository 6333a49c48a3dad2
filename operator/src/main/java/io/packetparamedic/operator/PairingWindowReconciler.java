package io.packetparamedic.operator;

import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.retry.GradualRetry;
import io.packetparamedic.api.config.Durations;
import io.packetparamedic.api.crd.AuthorizedPeer;
import io.packetparamedic.api.crd.AuthorizedPeerSpec;
import io.packetparamedic.api.crd.FieldManagers;
import io.packetparamedic.api.crd.Labels;
import io.packetparamedic.api.crd.ObjectRef;
import io.packetparamedic.api.crd.PairingWindow;
import io.packetparamedic.api.crd.PairingWindowSpec;
import io.packetparamedic.api.crd.PairingWindowStatus;
import io.packetparamedic.api.crd.PairingWindowStatus.Phase;
import io.packetparamedic.api.crd.ReflectorInstance;
import io.packetparamedic.api.identity.EndpointId;
import io.packetparamedic.api.kube.SecretData;
import io.packetparamedic.api.pairing.PairingCodes;
import io.packetparamedic.api.time.Rfc3339;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Drives a PairingWindow through (Pending →) Open → Consumed | Expired (or Failed): Pending while
 * the ReflectorInstance it names does not exist, with no code generated. The window opens at its
 * creation and closes at creation + ttl, so the expiry is the same after an operator restart.
 * The code reaches the reflector through the instance's config (the instance controller watches
 * windows); the reflector reports the enrolled appliance in {@code status.pairedEndpointId}, and
 * this controller turns that into an AuthorizedPeer from the window's template — only when the
 * window is Open and the instance it names lists it among its open pairing windows, i.e. the code
 * was in that instance's config. Only that instance's pod may write the window's status (its Role
 * names the window); the check is the second line of defence, see docs/security.md.
 *
 * <p>Not generation-aware: the pod's report changes only the status.
 */
@Workflow(
        dependents =
                @Dependent(
                        type = PairingCodeSecretDependent.class,
                        reconcilePrecondition = GeneratedCodeCondition.class))
@ControllerConfiguration(
        name = PairingWindowReconciler.NAME,
        generationAwareEventProcessing = false,
        fieldManager = FieldManagers.OPERATOR)
// Never gives up: a failure the user fixes (a Secret, a spec) must heal without an operator restart.
@GradualRetry(maxAttempts = -1, initialInterval = 2_000, intervalMultiplier = 2, maxInterval = 300_000)
public class PairingWindowReconciler implements Reconciler<PairingWindow> {

    public static final String NAME = "pairingwindow";
    /** Phase Pending: the window names a ReflectorInstance that does not exist (yet). */
    public static final String REFLECTOR_NOT_FOUND = "ReflectorNotFound";

    @Override
    public List<EventSource<?, PairingWindow>> prepareEventSources(EventSourceContext<PairingWindow> context) {
        var windows = context.getPrimaryCache();
        // A report waits for the instance to list the window; that listing is an instance status change.
        var instances = new InformerEventSource<>(
                InformerEventSourceConfiguration.from(ReflectorInstance.class, PairingWindow.class)
                        .withSecondaryToPrimaryMapper((ReflectorInstance i) -> windows.list(
                                        i.getMetadata().getNamespace(),
                                        w -> w.getSpec() != null
                                                && w.getSpec().reflectorRef != null
                                                && Objects.equals(
                                                        w.getSpec().reflectorRef.name,
                                                        i.getMetadata().getName()))
                                .map(ResourceID::fromResource)
                                .collect(Collectors.toSet()))
                        .withOnUpdateFilter((o, n) ->
                                !Objects.equals(openWindows(o), openWindows(n)) || liveConfig(o) != liveConfig(n))
                        .build(),
                context);
        return List.of(instances);
    }

    @Override
    public ErrorStatusUpdateControl<PairingWindow> updateErrorStatus(
            PairingWindow window, Context<PairingWindow> context, Exception e) {
        return FailureStatus.record(window, context, e, PairingWindowStatus.class, PairingWindowStatus.OPERATOR_FIELDS);
    }

    @Override
    public UpdateControl<PairingWindow> reconcile(PairingWindow window, Context<PairingWindow> context) {
        Instant now = Instant.now();
        PairingWindowStatus previous = window.getStatus() != null ? window.getStatus() : new PairingWindowStatus();
        PairingWindowSpec spec = window.getSpec();

        PairingWindowStatus s = new PairingWindowStatus();
        s.observedGeneration = window.getMetadata().getGeneration();
        Instant expiresAt = Rfc3339.parse(window.getMetadata().getCreationTimestamp())
                .plus(Durations.parse(spec.ttl != null ? spec.ttl : PairingWindowSpec.DEFAULT_TTL));
        s.expiresAt = Rfc3339.format(expiresAt);
        s.codeSecret = spec.codeSecretRef != null ? spec.codeSecretRef.name : Names.generatedCodeSecret(window);
        s.authorizedPeer = previous.authorizedPeer;

        Duration requeue = null;
        if (previous.phase == Phase.Consumed || previous.phase == Phase.Expired || previous.phase == Phase.Failed) {
            // Terminal: a closed window never reopens; keep what was recorded.
            s.phase = previous.phase;
            s.message = previous.message;
        } else if (previous.pairedEndpointId != null
                && previous.phase == Phase.Open
                && reportProblem(window, context).isEmpty()) {
            consume(window, context, previous, s);
        } else if (!now.isBefore(expiresAt)) {
            s.phase = Phase.Expired;
            s.message = previous.phase == Phase.Pending
                    ? "closed at " + s.expiresAt + " before ReflectorInstance " + spec.reflectorRef.name + " existed"
                    : "closed unused at " + s.expiresAt;
            KubeEvents.normal(context.getClient(), window, KubeEvents.PAIRING_EXPIRED, s.message);
        } else if (reflector(window, context).isEmpty()) {
            // No code is handed out for a reflector that cannot accept it (GeneratedCodeCondition).
            s.phase = Phase.Pending;
            s.codeSecret = null;
            s.message = "waiting for ReflectorInstance " + spec.reflectorRef.name + ", which does not exist; the window"
                    + " closes at " + s.expiresAt;
            if (previous.phase != Phase.Pending) {
                KubeEvents.warning(context.getClient(), window, REFLECTOR_NOT_FOUND, s.message);
            }
            noteRejectedReport(window, context, previous, s);
            requeue = Duration.between(now, expiresAt).plusMillis(500);
        } else {
            Optional<String> problem = suppliedCodeProblem(window, context);
            if (problem.isPresent()) {
                s.phase = Phase.Failed;
                s.message = problem.get();
                KubeEvents.warning(context.getClient(), window, KubeEvents.PAIRING_FAILED, s.message);
            } else {
                s.phase = Phase.Open;
                s.message = "open until " + s.expiresAt + " for " + spec.reflectorRef.name + "; the code is in Secret "
                        + s.codeSecret;
                if (previous.phase == null || previous.phase == Phase.Pending) {
                    KubeEvents.normal(context.getClient(), window, KubeEvents.PAIRING_OPENED, s.message);
                }
                noteRejectedReport(window, context, previous, s);
                requeue = Duration.between(now, expiresAt).plusMillis(500);
            }
        }
        boolean live = s.phase == Phase.Open && codeLive(window, context);
        String readyReason = switch (s.phase) {
            case Pending -> REFLECTOR_NOT_FOUND;
            case Open -> live ? "CodeLive" : "AwaitingReflector";
            default -> s.phase.name();
        };
        String readyMessage = s.phase != Phase.Open
                ? s.message
                : live
                        ? "the code is in the config ReflectorInstance " + spec.reflectorRef.name + " serves, until "
                                + s.expiresAt
                        : "waiting for ReflectorInstance " + spec.reflectorRef.name
                                + " to apply a config with the code";
        s.conditions = new Conditions(previous.conditions, s.observedGeneration)
                .set(Conditions.READY, live, readyReason, readyMessage)
                .set("Open", s.phase == Phase.Open, s.phase.name(), s.message)
                .build();
        StatusApplier.applyIfChanged(context.getClient(), window, s, PairingWindowStatus.OPERATOR_FIELDS);
        var control = UpdateControl.<PairingWindow>noUpdate();
        return requeue != null ? control.rescheduleAfter(requeue) : control;
    }

    /**
     * A pairing reported for a window that stays in its phase (Open, or Pending without a
     * reflector) was not accepted: the message says why, and a Warning Event once per report.
     */
    private static void noteRejectedReport(
            PairingWindow window, Context<PairingWindow> context, PairingWindowStatus previous, PairingWindowStatus s) {
        if (previous.pairedEndpointId == null || previous.phase != s.phase) return;
        Optional<String> rejected = reportProblem(window, context);
        if (rejected.isEmpty()) return;
        s.message = s.message + "; reported pairedEndpointId " + previous.pairedEndpointId + " not accepted: "
                + rejected.get();
        if (!s.message.equals(previous.message)) {
            KubeEvents.warning(context.getClient(), window, KubeEvents.PAIRING_REPORT_REJECTED, s.message);
        }
    }

    /**
     * Why a reported pairing is not (yet) credible: the instance the window names must exist and
     * list the window among its open pairing windows, i.e. the code was in that instance's
     * config. The instance lists a window moments after its config carries the code, so a report
     * that arrives first waits for the instance's status (watched) rather than failing.
     */
    private static Optional<String> reportProblem(PairingWindow window, Context<PairingWindow> context) {
        String instanceName = window.getSpec().reflectorRef.name;
        Optional<ReflectorInstance> instance = reflector(window, context);
        if (instance.isEmpty()) return Optional.of("ReflectorInstance " + instanceName + " does not exist");
        if (!openWindows(instance.get()).contains(window.getMetadata().getName())) {
            return Optional.of("the window is not among ReflectorInstance " + instanceName
                    + "'s open pairing windows, so its code was not in that reflector's config");
        }
        return Optional.empty();
    }

    /** The ReflectorInstance the window names, from the informer cache. */
    static Optional<ReflectorInstance> reflector(PairingWindow window, Context<PairingWindow> context) {
        if (window.getSpec() == null || window.getSpec().reflectorRef == null) return Optional.empty();
        return Informers.of(context, ReflectorInstance.class)
                .get(new ResourceID(
                        window.getSpec().reflectorRef.name, window.getMetadata().getNamespace()));
    }

    /**
     * Whether the window's code is live: its instance lists the window among the open pairing
     * windows of the config it rendered (configHash), and the pod reports that very config as
     * applied (appliedConfigHash).
     */
    private static boolean codeLive(PairingWindow window, Context<PairingWindow> context) {
        return reflector(window, context)
                .filter(i -> openWindows(i).contains(window.getMetadata().getName()) && liveConfig(i))
                .isPresent();
    }

    /** The pod serves the config the operator rendered last. */
    private static boolean liveConfig(ReflectorInstance instance) {
        return instance.getStatus() != null
                && instance.getStatus().configHash != null
                && instance.getStatus().configHash.equals(AppliedConfigHash.of(instance));
    }

    private static List<String> openWindows(ReflectorInstance instance) {
        return instance.getStatus() == null || instance.getStatus().openPairingWindows == null
                ? List.of()
                : instance.getStatus().openPairingWindows;
    }

    /** Creates (or adopts) the AuthorizedPeer for the appliance the reflector enrolled. */
    private static void consume(
            PairingWindow window, Context<PairingWindow> context, PairingWindowStatus previous, PairingWindowStatus s) {
        EndpointId id;
        try {
            id = EndpointId.parse(previous.pairedEndpointId);
        } catch (IllegalArgumentException e) {
            s.phase = Phase.Failed;
            s.message = "reported pairedEndpointId is invalid: " + e.getMessage();
            KubeEvents.warning(context.getClient(), window, KubeEvents.PAIRING_FAILED, s.message);
            return;
        }
        PairingWindowSpec.PeerTemplate template = window.getSpec().peerTemplate != null
                ? window.getSpec().peerTemplate
                : new PairingWindowSpec.PeerTemplate();
        String name = template.name != null && !template.name.isBlank()
                ? template.name
                : window.getMetadata().getName();
        var peers = context.getClient()
                .resources(AuthorizedPeer.class)
                .inNamespace(window.getMetadata().getNamespace());
        AuthorizedPeer existing = peers.withName(name).get();
        if (existing == null) {
            AuthorizedPeer peer = new AuthorizedPeer();
            peer.getMetadata().setName(name);
            peer.getMetadata().setNamespace(window.getMetadata().getNamespace());
            peer.getMetadata().setLabels(template.labels);
            peer.getMetadata()
                    .setAnnotations(new java.util.LinkedHashMap<>(java.util.Map.of(
                            Labels.PAIRED_VIA_ANNOTATION,
                            window.windowKey(),
                            AuthorizedPeerReconciler.PAIRED_AT_ANNOTATION,
                            previous.pairedAt != null ? previous.pairedAt : Conditions.now())));
            AuthorizedPeerSpec spec = new AuthorizedPeerSpec();
            spec.endpointId = id.toString();
            spec.reflectorRef = new ObjectRef(window.getSpec().reflectorRef.name);
            spec.displayName = template.displayName;
            spec.quotas = template.quotas;
            peer.setSpec(spec);
            peers.resource(peer).create();
        } else if (!Objects.equals(
                PeerSelection.endpointId(existing).map(EndpointId::toString).orElse(null), id.toString())) {
            s.phase = Phase.Failed;
            s.message = "AuthorizedPeer " + name + " already exists for another Endpoint ID";
            KubeEvents.warning(context.getClient(), window, KubeEvents.PAIRING_FAILED, s.message);
            return;
        }
        s.phase = Phase.Consumed;
        s.authorizedPeer = name;
        s.message = "paired " + id + " as AuthorizedPeer " + name;
        KubeEvents.normal(context.getClient(), window, KubeEvents.PAIRING_CONSUMED, s.message);
    }

    /** A code supplied by Secret reference must exist and be a valid code. */
    private static Optional<String> suppliedCodeProblem(PairingWindow window, Context<PairingWindow> context) {
        var ref = window.getSpec().codeSecretRef;
        if (ref == null) return Optional.empty();
        Secret secret = context.getClient()
                .secrets()
                .inNamespace(window.getMetadata().getNamespace())
                .withName(ref.name)
                .get();
        String key = ref.keyOr(Labels.PAIRING_CODE_KEY);
        Optional<String> code;
        try {
            code = SecretData.text(secret, key);
        } catch (IllegalArgumentException notBase64) {
            return Optional.of(notBase64.getMessage());
        }
        if (code.isEmpty()) return Optional.of("code Secret " + ref.name + " (key " + key + ") does not exist");
        return PairingCodes.isValid(code.get())
                ? Optional.empty()
                : Optional.of("code in Secret " + ref.name + " must be " + PairingCodes.LENGTH + " characters from "
                        + PairingCodes.ALPHABET);
    }
}
