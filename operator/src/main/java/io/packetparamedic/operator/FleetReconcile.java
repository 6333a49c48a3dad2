package io.packetparamedic.operator;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.packetparamedic.api.crd.Labels;
import io.packetparamedic.api.crd.NodeReport;
import io.packetparamedic.api.crd.ReflectorInstance;
import io.packetparamedic.api.crd.ReflectorInstanceStatus;
import io.packetparamedic.api.identity.Ed25519Identity;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * The status half of a PerNode instance's reconcile (the dependents made the per-node objects):
 * gathers each placed node's identity, Deployment and report, hands them to
 * {@link FleetStatusCalculator}, writes the status, drops the reports of nodes no longer placed,
 * and decides when to look again (a heartbeat going stale, a leaving node's grace period ending).
 */
final class FleetReconcile {

    private static final Logger LOG = Logger.getLogger(FleetReconcile.class);

    private FleetReconcile() {}

    static UpdateControl<ReflectorInstance> reconcile(
            ReflectorInstance instance,
            Context<ReflectorInstance> context,
            ReflectorInstanceStatus previous,
            EffectiveSpec spec,
            List<PortConflicts.Conflict> conflicts,
            ReflectorInstanceStatus s,
            Instant now) {
        FleetPlacement placement = InstanceInputs.placement(instance, context);
        Map<String, Secret> identities =
                InstanceInputs.byNode(Informers.of(context, Secret.class, NodeIdentitySecretsDependent.NAME)
                        .getSecondaryResources(instance));
        Map<String, Deployment> deployments =
                InstanceInputs.byNode(Informers.of(context, Deployment.class, NodeDeploymentsDependent.NAME)
                        .getSecondaryResources(instance));
        Map<String, NodeReport> reports = previous.nodeReports == null ? Map.of() : previous.nodeReports;
        List<FleetStatusCalculator.NodeInputs> nodes = placement.nodes().stream()
                .map(p -> new FleetStatusCalculator.NodeInputs(
                        p,
                        Optional.ofNullable(identities.get(p.name()))
                                .flatMap(secret -> IdentitySecretDependent.seed(secret, Labels.IDENTITY_KEY))
                                .map(seed -> Ed25519Identity.fromSeed(seed)
                                        .endpointId()
                                        .toString()),
                        deployments.containsKey(p.name()),
                        Optional.ofNullable(reports.get(p.name()))))
                .toList();
        Duration staleAfter = OperatorSettings.heartbeatStaleAfter();
        var verdict = FleetStatusCalculator.calculate(new FleetStatusCalculator.Observed(
                previous,
                s.observedGeneration,
                nodes,
                ImagePolicy.refusal(spec),
                conflicts,
                spec.controlPort(),
                spec.advertisedAddress(),
                staleAfter,
                now));
        s.nodes = verdict.nodes().isEmpty() ? null : verdict.nodes();
        s.ready = verdict.ready();
        s.conditions = verdict.conditions();
        s.phase = verdict.phase();
        StatusApplier.applyIfChanged(context.getClient(), instance, s, ReflectorInstanceStatus.OPERATOR_FIELDS);
        forgetReports(instance, context, reports.keySet(), Set.copyOf(placement.names()));
        LOG.debugf(
                "event=reconciled instance=%s phase=%s ready=%s peers=%d",
                instance.instanceKey(), s.phase, s.ready, s.authorizedPeers);

        Duration next = ReflectorInstanceReconciler.nextCheck(now, verdict.nextStale(), instance, context);
        Optional<Instant> removal = placement.nextRemoval(OperatorSettings.nodeGracePeriod());
        if (removal.isPresent() && removal.get().isAfter(now)) {
            next = ReflectorInstanceReconciler.min(
                    next, Duration.between(now, removal.get()).plusMillis(500));
        }
        if (verdict.awaitsPod()) next = ReflectorInstanceReconciler.min(next, AwaitingPodBackoff.next(previous, now));
        return UpdateControl.<ReflectorInstance>noUpdate().rescheduleAfter(next);
    }

    /**
     * Removes the reports of nodes that no longer run a reflector of the instance: each was
     * applied by its node's pod under that pod's own field manager, which is gone with the pod,
     * so a merge patch (which ignores managers) deletes them.
     */
    private static void forgetReports(
            ReflectorInstance instance, Context<ReflectorInstance> context, Set<String> reported, Set<String> placed) {
        List<String> gone =
                reported.stream().filter(n -> !placed.contains(n)).sorted().toList();
        if (gone.isEmpty()) return;
        ObjectNode nodeReports = JsonNodeFactory.instance.objectNode();
        gone.forEach(nodeReports::putNull);
        ObjectNode patch = JsonNodeFactory.instance.objectNode();
        patch.putObject("status").set("nodeReports", nodeReports);
        try {
            context.getClient()
                    .resources(ReflectorInstance.class)
                    .inNamespace(instance.getMetadata().getNamespace())
                    .withName(instance.getMetadata().getName())
                    .subresource("status")
                    .patch(PatchContext.of(PatchType.JSON_MERGE), patch.toString());
            LOG.infof("event=node_reports_removed instance=%s nodes=%s", instance.instanceKey(), gone);
        } catch (KubernetesClientException e) {
            // The next reconcile tries again; the stale entries are only clutter meanwhile.
            LOG.warnf(
                    "event=node_reports_remove_failed instance=%s nodes=%s code=%d",
                    instance.instanceKey(), gone, e.getCode());
        }
    }
}
