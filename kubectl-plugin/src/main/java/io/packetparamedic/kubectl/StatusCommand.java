package io.packetparamedic.kubectl;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.packetparamedic.api.crd.AuthorizedPeer;
import io.packetparamedic.api.crd.Labels;
import io.packetparamedic.api.crd.ReflectorInstance;
import io.packetparamedic.api.crd.ReflectorInstanceStatus;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** One screen about one reflector: the instance, its pod, the peers it serves, its sessions. */
@Command(
        name = "status",
        mixinStandardHelpOptions = true,
        description =
                "Show a reflector: phase, conditions, Endpoint ID, address and ports; its pods; the AuthorizedPeers in effect with their usage; running sessions.")
final class StatusCommand implements Callable<Integer> {

    @ParentCommand
    KubectlPacketParamedic root;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "INSTANCE", description = "The ReflectorInstance.")
    String instance;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Instant now = Instant.now();
        try (KubernetesClient client = root.cluster().connect()) {
            ReflectorInstance ri = Instances.require(client, instance);
            ReflectorInstanceStatus st = ri.getStatus() != null ? ri.getStatus() : new ReflectorInstanceStatus();
            printInstance(out, ri, st, now);
            printPods(out, client);
            printPeers(out, client, now);
            printSessions(out, st);
        }
        out.flush();
        return ExitCodes.OK;
    }

    private void printInstance(PrintWriter out, ReflectorInstance ri, ReflectorInstanceStatus st, Instant now) {
        out.println("ReflectorInstance " + ri.instanceKey());
        out.println("  Phase:         " + (st.phase != null ? st.phase : "(no status yet: is the operator running?)"));
        out.println("  Endpoint ID:   " + orDash(st.endpointId)
                + (st.reportedEndpointId != null && !st.reportedEndpointId.equals(st.endpointId)
                        ? "   (the pod serves " + st.reportedEndpointId + ")"
                        : ""));
        if (st.previousEndpointIds != null && !st.previousEndpointIds.isEmpty()) {
            out.println("  Previous IDs:  " + String.join(", ", st.previousEndpointIds)
                    + (st.identityRotatedAt != null ? "   rotated " + Humanize.ago(st.identityRotatedAt, now) : ""));
        }
        out.println("  Address:       " + orDash(st.address));
        out.println("  Ports:         " + InstancePorts.of(ri.getSpec()));
        out.println("  Node:          " + orDash(st.node) + "   heartbeat " + Humanize.ago(st.lastHeartbeat, now));
        out.println(
                "  Usage:         " + orDash(st.activeSessionCount) + " active sessions, " + orDash(st.connectedPeers)
                        + " connected peers, " + orDash(st.testsLastHour) + " tests in the last hour, "
                        + Humanize.bytes(st.bytesToday) + " today");
        out.println("  Conditions:");
        Table conditions = new Table("TYPE", "STATUS", "REASON", "MESSAGE");
        for (Condition c : st.conditions == null ? List.<Condition>of() : st.conditions) {
            conditions.row(c.getType(), c.getStatus(), c.getReason(), c.getMessage());
        }
        printOrNone(out, conditions);
    }

    private void printPods(PrintWriter out, KubernetesClient client) {
        List<Pod> pods = client.pods()
                .inNamespace(client.getNamespace())
                .withLabels(Map.of(Labels.NAME, "reflector", Labels.INSTANCE, instance))
                .list()
                .getItems();
        out.println("Pods:");
        Table t = new Table("NAME", "PHASE", "READY", "NODE", "RESTARTS");
        for (Pod p : pods) {
            List<ContainerStatus> cs = p.getStatus() != null && p.getStatus().getContainerStatuses() != null
                    ? p.getStatus().getContainerStatuses()
                    : List.of();
            long ready =
                    cs.stream().filter(c -> Boolean.TRUE.equals(c.getReady())).count();
            int restarts = cs.stream()
                    .mapToInt(c -> c.getRestartCount() == null ? 0 : c.getRestartCount())
                    .sum();
            t.row(
                    p.getMetadata().getName(),
                    p.getStatus() != null ? p.getStatus().getPhase() : null,
                    ready + "/" + p.getSpec().getContainers().size(),
                    p.getSpec().getNodeName(),
                    restarts);
        }
        printOrNone(out, t);
    }

    /**
     * The peers whose status names this instance (the operator put them in its config), plus those
     * that name it in reflectorRef but are not in effect, with the reason from their Active condition.
     */
    private void printPeers(PrintWriter out, KubernetesClient client, Instant now) {
        List<AuthorizedPeer> peers =
                client.resources(AuthorizedPeer.class).inNamespace(client.getNamespace()).list().getItems().stream()
                        .filter(p -> inEffect(p)
                                || p.getSpec() != null
                                        && p.getSpec().reflectorRef != null
                                        && instance.equals(p.getSpec().reflectorRef.name))
                        .sorted(Comparator.comparing(p -> p.getMetadata().getName()))
                        .toList();
        long effective = peers.stream().filter(this::inEffect).count();
        out.println("Authorized peers (" + effective + " in effect):");
        Table t = new Table("NAME", "ENDPOINT ID", "IN EFFECT", "LAST SEEN", "TESTS/HOUR", "BYTES TODAY", "SESSIONS");
        for (AuthorizedPeer p : peers) {
            var st = p.getStatus();
            String effect = inEffect(p)
                    ? "yes"
                    : "no: "
                            + Instances.condition(st != null ? st.conditions : null, "Active")
                                    .map(Condition::getReason)
                                    .orElse("not reconciled");
            t.row(
                    p.getMetadata().getName(),
                    p.getSpec().endpointId,
                    effect,
                    st != null ? Humanize.ago(st.lastSeenTime, now) : null,
                    st != null ? st.testsLastHour : null,
                    st != null ? Humanize.bytes(st.bytesToday) : null,
                    st != null ? st.totalSessions : null);
        }
        printOrNone(out, t);
    }

    private boolean inEffect(AuthorizedPeer p) {
        return p.getStatus() != null
                && p.getStatus().reflectors != null
                && p.getStatus().reflectors.contains(instance);
    }

    private static void printSessions(PrintWriter out, ReflectorInstanceStatus st) {
        List<ReflectorInstanceStatus.ActiveSession> sessions = Objects.requireNonNullElse(st.activeSessions, List.of());
        out.println(
                "Active sessions (" + (st.activeSessionCount != null ? st.activeSessionCount : sessions.size()) + "):");
        Table t = new Table("TEST ID", "PEER", "TYPE", "PORT", "STARTED", "EXPIRES");
        sessions.forEach(s -> t.row(s.testId, s.peer, s.type, s.port, s.started, s.expires));
        printOrNone(out, t);
    }

    private static void printOrNone(PrintWriter out, Table t) {
        if (t.isEmpty()) {
            out.println("    (none)");
        } else {
            t.print(out, "    ");
        }
    }

    private static String orDash(Object o) {
        return o == null ? "-" : o.toString();
    }
}
