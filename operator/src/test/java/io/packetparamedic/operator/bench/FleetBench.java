package io.packetparamedic.operator.bench;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.packetparamedic.api.crd.AuthorizedPeer;
import io.packetparamedic.api.crd.Labels;
import io.packetparamedic.api.crd.NodeStatus;
import io.packetparamedic.api.crd.Placement;
import io.packetparamedic.api.crd.ReflectorInstance;
import io.packetparamedic.api.crd.ReflectorInstanceSpec;
import io.packetparamedic.operator.Conditions;
import io.packetparamedic.operator.Names;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Fleet mode of the bench (issue 19 item 6): {@code nodes} Node objects with no kubelet (Ready,
 * an InternalIP, a label every fleet selects), {@code fleets} PerNode ReflectorInstances over
 * them and {@code peersPerFleet} AuthorizedPeers for each. Converged means: every fleet has a
 * Deployment and an identity Secret for every node, {@code status.nodes} lists every node with
 * its Endpoint ID, the fleet's config Secret lists all its peers, and every peer is Valid and
 * Active.
 */
final class FleetBench {

    /** The label the bench's nodes carry and every fleet's placement selects. */
    static final String NODE_LABEL = "bench.packetparamedic.io/fleet-node";

    /** Where kubelets keep their heartbeat Leases; the node lifecycle controller reads them. */
    static final String NODE_LEASE_NAMESPACE = "kube-node-lease";

    /** A kubelet renews its Lease every 10 s (a quarter of the 40 s lease duration). */
    static final long HEARTBEAT_MILLIS = 10_000;

    private FleetBench() {}

    static String node(int n) {
        return String.format("bench-node-%02d", n);
    }

    static String fleet(int n) {
        return String.format("fleet-%02d", n);
    }

    static void seed(KubernetesClient client, int fleets, int nodes, int peersPerFleet) throws Exception {
        OperatorBench.createNamespace(client);
        for (int n = 0; n < nodes; n++) client.nodes().resource(nodeObject(n)).create();
        List<Supplier<? extends HasMetadata>> makers = new ArrayList<>();
        for (int f = 0; f < fleets; f++) {
            int fleet = f;
            makers.add(() -> fleetObject(fleet));
        }
        for (int f = 0; f < fleets; f++) {
            for (int p = 0; p < peersPerFleet; p++) {
                String name = String.format("%s-peer-%04d", fleet(f), p);
                String fleet = fleet(f);
                makers.add(() -> OperatorBench.peer(name, fleet));
            }
        }
        OperatorBench.createAll(client, makers);
        System.out.printf(
                "seeded %d Nodes, %d PerNode ReflectorInstances and %d AuthorizedPeers in namespace %s%n",
                nodes, fleets, fleets * peersPerFleet, OperatorBench.NS);
    }

    /** A node as a kubelet registers it, with a heartbeat now (the lifecycle controller's grace runs from here). */
    static Node nodeObject(int n) {
        return new NodeBuilder()
                .withNewMetadata()
                .withName(node(n))
                .withLabels(Map.of(NODE_LABEL, "true", "kubernetes.io/hostname", node(n)))
                .endMetadata()
                .withNewStatus()
                .addNewCondition()
                .withType("Ready")
                .withStatus("True")
                .withReason("KubeletReady")
                .withLastHeartbeatTime(Instant.now().toString())
                .endCondition()
                .addNewAddress()
                .withType("InternalIP")
                .withAddress("10.77." + (n / 250) + "." + (n % 250 + 1))
                .endAddress()
                .endStatus()
                .build();
    }

    /**
     * A fleet on every bench node. Fleets share the nodes, so each gets its own host ports (the
     * operator reports overlapping ones as PortConflict and places nothing for the newcomer).
     */
    static ReflectorInstance fleetObject(int f) {
        ReflectorInstance ri = new ReflectorInstance();
        ri.getMetadata().setName(fleet(f));
        ri.getMetadata().setNamespace(OperatorBench.NS);
        ri.setSpec(new ReflectorInstanceSpec());
        ri.getSpec().placement = new Placement(Placement.Mode.PerNode);
        ri.getSpec().placement.nodeSelector = Map.of(NODE_LABEL, "true");
        ri.getSpec().network = new ReflectorInstanceSpec.Network();
        int base = 20_000 + 100 * f;
        ri.getSpec().network.controlPort = base;
        ri.getSpec().network.healthPort = base + 1;
        ri.getSpec().network.dataPortRange = new ReflectorInstanceSpec.PortRange(base + 10, base + 49);
        return ri;
    }

    /**
     * What the kubelets would do: renew each node's Lease in kube-node-lease every 10 s, so that
     * the controller-manager's node lifecycle controller keeps the nodes Ready (and untainted)
     * for the whole run. Runs until the process is killed.
     */
    static void keepNodesAlive(KubernetesClient client, int nodes) throws InterruptedException {
        while (true) {
            ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
            for (int n = 0; n < nodes; n++) {
                Lease lease = new LeaseBuilder()
                        .withNewMetadata()
                        .withName(node(n))
                        .withNamespace(NODE_LEASE_NAMESPACE)
                        .endMetadata()
                        .withNewSpec()
                        .withHolderIdentity(node(n))
                        .withLeaseDurationSeconds(40)
                        .withRenewTime(now)
                        .endSpec()
                        .build();
                client.resource(lease)
                        .fieldManager("bench-kubelet")
                        .forceConflicts()
                        .serverSideApply();
            }
            Thread.sleep(HEARTBEAT_MILLIS);
        }
    }

    /**
     * Watches (informers, not repeated lists: 10,000 peers listed twice a second would load the
     * API server the operator is being measured against) until converged, then prints the time
     * since the operator was launched and the object counts.
     */
    static void await(KubernetesClient client, int fleets, int nodes, int peersPerFleet, long launchedAtMillis)
            throws Exception {
        String ns = OperatorBench.NS;
        try (SharedIndexInformer<ReflectorInstance> instances = client.resources(ReflectorInstance.class)
                        .inNamespace(ns)
                        .inform();
                SharedIndexInformer<AuthorizedPeer> peers =
                        client.resources(AuthorizedPeer.class).inNamespace(ns).inform();
                SharedIndexInformer<Deployment> deployments =
                        client.apps().deployments().inNamespace(ns).inform();
                SharedIndexInformer<Secret> secrets = client.secrets()
                        .inNamespace(ns)
                        .withLabel(Labels.MANAGED_BY, Labels.MANAGED_BY_OPERATOR)
                        .inform()) {
            ConfigPeerCounts configPeers = new ConfigPeerCounts();
            long deadline = System.currentTimeMillis() + 600_000;
            String state = "";
            long nextProgress = 0;
            while (System.currentTimeMillis() < deadline) {
                long statusDone = instances.getStore().list().stream()
                        .filter(ri -> allNodesHaveIds(ri, nodes))
                        .count();
                List<Secret> allSecrets = secrets.getStore().list();
                long deploymentsDone = fleetsWithPerNode(deployments.getStore().list(), nodes);
                List<Secret> identities = withComponent(allSecrets, Names.COMPONENT_IDENTITY);
                long identitiesDone = fleetsWithPerNode(identities, nodes);
                List<Secret> configs = withComponent(allSecrets, Names.COMPONENT_CONFIG);
                long configsDone = configs.stream()
                        .filter(s -> configPeers.of(s) == peersPerFleet)
                        .count();
                long peersDone = peers.getStore().list().stream()
                        .filter(p -> p.getStatus() != null
                                && Conditions.isTrue(p.getStatus().conditions, "Valid")
                                && Conditions.isTrue(p.getStatus().conditions, "Active"))
                        .count();
                state = "fleets: status.nodes=" + statusDone + "/" + fleets + " deployments=" + deploymentsDone
                        + "/" + fleets + " identities=" + identitiesDone + "/" + fleets + " configs=" + configsDone
                        + "/" + fleets + "; peers=" + peersDone + "/" + fleets * peersPerFleet;
                long elapsed = System.currentTimeMillis() - launchedAtMillis;
                if (elapsed >= nextProgress) {
                    // Progress every 10 s: which part converges when (the fleet side or the peers).
                    System.err.printf("[bench] t=%ds %s%n", elapsed / 1000, state);
                    nextProgress = elapsed + 10_000;
                }
                if (statusDone == fleets
                        && deploymentsDone == fleets
                        && identitiesDone == fleets
                        && configsDone == fleets
                        && peersDone == (long) fleets * peersPerFleet) {
                    double seconds = (System.currentTimeMillis() - launchedAtMillis) / 1000.0;
                    System.out.printf("converged: %s%n", state);
                    System.out.printf("convergence_seconds=%.1f%n", seconds);
                    System.out.printf(
                            "objects: nodes=%d reflectorinstances=%d authorizedpeers=%d deployments=%d"
                                    + " identity_secrets=%d config_secrets=%d%n",
                            client.nodes()
                                    .withLabel(NODE_LABEL)
                                    .list()
                                    .getItems()
                                    .size(),
                            instances.getStore().list().size(),
                            peers.getStore().list().size(),
                            deployments.getStore().list().size(),
                            identities.size(),
                            configs.size());
                    return;
                }
                Thread.sleep(500);
            }
            throw new IllegalStateException("not converged after 600 s: " + state);
        }
    }

    static boolean allNodesHaveIds(ReflectorInstance ri, int nodes) {
        if (ri.getStatus() == null || ri.getStatus().nodes == null) return false;
        List<NodeStatus> entries = ri.getStatus().nodes;
        return entries.size() == nodes && entries.stream().allMatch(n -> n.endpointId != null && n.leftAt == null);
    }

    static List<Secret> withComponent(List<Secret> secrets, String component) {
        return secrets.stream()
                .filter(s -> component.equals(s.getMetadata().getLabels().get(Labels.COMPONENT)))
                .toList();
    }

    /** How many fleets own a per-node object (annotated with its node) for as many nodes as the bench made. */
    static long fleetsWithPerNode(List<? extends HasMetadata> owned, int nodes) {
        Map<String, Long> perFleet = owned.stream()
                .filter(o -> Names.node(o).isPresent())
                .collect(Collectors.groupingBy(Names::ownerName, Collectors.counting()));
        return perFleet.values().stream().filter(c -> c == nodes).count();
    }

    /** Peers listed in each config Secret, parsed once per resourceVersion (the TOML of 500 peers is not free). */
    static final class ConfigPeerCounts {
        private final Map<String, Integer> byVersion = new HashMap<>();

        int of(Secret s) {
            return byVersion.computeIfAbsent(
                    s.getMetadata().getUid() + "/" + s.getMetadata().getResourceVersion(),
                    k -> OperatorBench.peersIn(s));
        }
    }
}
