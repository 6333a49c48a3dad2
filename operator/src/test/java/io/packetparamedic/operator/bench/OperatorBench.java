package io.packetparamedic.operator.bench;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.packetparamedic.api.config.ConfigLoader;
import io.packetparamedic.api.crd.AuthorizedPeer;
import io.packetparamedic.api.crd.AuthorizedPeerSpec;
import io.packetparamedic.api.crd.Labels;
import io.packetparamedic.api.crd.ObjectRef;
import io.packetparamedic.api.crd.ReflectorInstance;
import io.packetparamedic.api.crd.ReflectorInstanceSpec;
import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.operator.Conditions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * Benchmark driver (bench/operator/run.sh): {@code seed} creates N ReflectorInstances and M
 * AuthorizedPeers before the operator starts; {@code await} polls until the operator has
 * converged all of them and prints the time since the operator process was launched. The fleet
 * mode ({@code fleet-seed}, {@code fleet-await}, {@code nodes-alive}) is {@link FleetBench}.
 */
public final class OperatorBench {

    static final String NS = "bench";

    public static void main(String[] args) throws Exception {
        Config config = Config.fromKubeconfig(Files.readString(Path.of(args[1])));
        int status = 0;
        try (KubernetesClient client =
                new KubernetesClientBuilder().withConfig(config).build()) {
            switch (args[0]) {
                case "seed" -> seed(client, arg(args, 2), arg(args, 3));
                case "await" -> await(client, arg(args, 2), arg(args, 3), Long.parseLong(args[4]));
                // fleets, nodes, peers per fleet
                case "fleet-seed" -> FleetBench.seed(client, arg(args, 2), arg(args, 3), arg(args, 4));
                case "fleet-await" ->
                    FleetBench.await(client, arg(args, 2), arg(args, 3), arg(args, 4), Long.parseLong(args[5]));
                case "nodes-alive" -> FleetBench.keepNodesAlive(client, arg(args, 2));
                default -> throw new IllegalArgumentException("seed|await|fleet-seed|fleet-await|nodes-alive");
            }
        } catch (Exception e) {
            e.printStackTrace();
            status = 1;
        }
        // The HTTP client's event-loop threads are not daemons; the script waits for this process.
        System.exit(status);
    }

    private static int arg(String[] args, int i) {
        return Integer.parseInt(args[i]);
    }

    static void createNamespace(KubernetesClient client) {
        client.namespaces()
                .resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName(NS)
                        .endMetadata()
                        .build())
                .serverSideApply();
    }

    /**
     * Creates what {@code makers} build, 16 at a time: seeding thousands of objects one by one
     * would wait on the API server's latency; building in the workers spreads the key generation.
     */
    static void createAll(KubernetesClient client, List<Supplier<? extends HasMetadata>> makers) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<?>> jobs = new ArrayList<>();
            for (Supplier<? extends HasMetadata> make : makers) {
                jobs.add(pool.submit(() -> client.resource(make.get()).create()));
            }
            for (Future<?> job : jobs) job.get();
        } finally {
            pool.shutdown();
        }
    }

    /** A peer with a freshly generated Ed25519 Endpoint ID, for the instance {@code reflector}. */
    static AuthorizedPeer peer(String name, String reflector) {
        AuthorizedPeer p = new AuthorizedPeer();
        p.getMetadata().setName(name);
        p.getMetadata().setNamespace(NS);
        p.setSpec(new AuthorizedPeerSpec());
        p.getSpec().endpointId = Ed25519Identity.generate().endpointId().toString();
        p.getSpec().reflectorRef = new ObjectRef(reflector);
        return p;
    }

    static void seed(KubernetesClient client, int instances, int peers) throws Exception {
        createNamespace(client);
        List<Supplier<? extends HasMetadata>> makers = new ArrayList<>();
        for (int i = 0; i < instances; i++) {
            int n = i;
            makers.add(() -> {
                ReflectorInstance ri = new ReflectorInstance();
                ri.getMetadata().setName(instance(n));
                ri.getMetadata().setNamespace(NS);
                ri.setSpec(new ReflectorInstanceSpec());
                // One node each, so that equal ports are no conflict.
                ri.getSpec().nodeSelector = Map.of("kubernetes.io/hostname", "node-" + n);
                return ri;
            });
        }
        for (int j = 0; j < peers; j++) {
            int n = j;
            makers.add(() -> peer("peer-" + n, instance(n % instances)));
        }
        createAll(client, makers);
        System.out.printf(
                "seeded %d ReflectorInstances and %d AuthorizedPeers in namespace %s%n", instances, peers, NS);
    }

    static void await(KubernetesClient client, int instances, int peers, long launchedAtMillis) throws Exception {
        int perInstance = peers / instances;
        long deadline = System.currentTimeMillis() + 600_000;
        String state = "";
        while (System.currentTimeMillis() < deadline) {
            var ris = client.resources(ReflectorInstance.class)
                    .inNamespace(NS)
                    .list()
                    .getItems();
            long instancesDone = ris.stream()
                    .filter(r -> r.getStatus() != null
                            && r.getStatus().endpointId != null
                            && Integer.valueOf(perInstance).equals(r.getStatus().authorizedPeers))
                    .count();
            long deployments = client.apps()
                    .deployments()
                    .inNamespace(NS)
                    .list()
                    .getItems()
                    .size();
            long configsDone =
                    client.secrets().inNamespace(NS).withLabel(Labels.COMPONENT, "config").list().getItems().stream()
                            .filter(s -> peersIn(s) == perInstance)
                            .count();
            long peersDone = client.resources(AuthorizedPeer.class).inNamespace(NS).list().getItems().stream()
                    .filter(p -> p.getStatus() != null
                            && Conditions.isTrue(p.getStatus().conditions, "Valid")
                            && Conditions.isTrue(p.getStatus().conditions, "Active"))
                    .count();
            state = "instances=" + instancesDone + "/" + instances + " configs=" + configsDone + " deployments="
                    + deployments + " peers=" + peersDone + "/" + peers;
            if (instancesDone == instances
                    && configsDone == instances
                    && deployments == instances
                    && peersDone == peers) {
                double seconds = (System.currentTimeMillis() - launchedAtMillis) / 1000.0;
                System.out.printf("converged: %s%n", state);
                System.out.printf("convergence_seconds=%.1f%n", seconds);
                return;
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("not converged after 600 s: " + state);
    }

    static int peersIn(Secret s) {
        String toml =
                new String(Base64.getDecoder().decode(s.getData().get(Labels.CONFIG_KEY)), StandardCharsets.UTF_8);
        return ConfigLoader.parse(toml, s.getMetadata().getName())
                .config()
                .access
                .peers
                .size();
    }

    static String instance(int n) {
        return String.format("reflector-%02d", n);
    }
}
