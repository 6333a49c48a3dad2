package io.packetparamedic.e2e.harness;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Starts one cluster per test run and injects it. Registered by {@link KubeCluster}.
 *
 * <p>The cluster lives in the root {@link ExtensionContext.Store}: JUnit computes it once even
 * when classes run in parallel, and closes it ({@link AutoCloseable}) when the whole run ends.
 * CRDs from the repository's {@code crds/} directory (or {@code pp.crds.dir}) are installed
 * right after start, before any test sees the cluster.
 */
public final class KubeClusterExtension implements BeforeAllCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(KubeClusterExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        cluster(context);
    }

    /** Whether the test class (or an enclosing one) asks for {@code @KubeCluster(node = true)}. */
    static boolean wantsNode(ExtensionContext context) {
        return annotation(context).map(KubeCluster::node).orElse(false);
    }

    /** How many real nodes the test class asks for ({@code @KubeCluster(nodes = ...)}). */
    static int wantedNodes(ExtensionContext context) {
        return annotation(context).map(KubeCluster::nodes).orElse(1);
    }

    private static Optional<KubeCluster> annotation(ExtensionContext context) {
        for (Optional<Class<?>> c = context.getTestClass();
                c.isPresent();
                c = Optional.ofNullable(c.get().getEnclosingClass())) {
            Optional<KubeCluster> a = AnnotationSupport.findAnnotation(c.get(), KubeCluster.class);
            if (a.isPresent()) {
                return a;
            }
        }
        return Optional.empty();
    }

    /**
     * The run's cluster; aborts the calling test or class (skipped, with the reason) when the
     * selected kind is unavailable here, and fails it when starting failed.
     */
    public static KubeTestCluster cluster(ExtensionContext context) {
        boolean node = wantsNode(context);
        ClusterOutcome outcome = node
                ? nodeCluster(context, wantedNodes(context))
                : context.getRoot()
                        .getStore(NAMESPACE)
                        .getOrComputeIfAbsent(
                                ClusterOutcome.class, k -> launch(context, false, 1), ClusterOutcome.class);
        Optional<String> reason = outcome.unavailableReason();
        if (reason.isPresent()) {
            Assumptions.abort(reason.get());
        }
        if (outcome.failure().isPresent()) {
            Throwable t = outcome.failure().get();
            throw new IllegalStateException("the test cluster could not be started: " + t.getMessage(), t);
        }
        return outcome.cluster().orElseThrow();
    }

    /**
     * The run's one node cluster, with at least {@code nodes} nodes: started by the first class
     * that needs a node, with as many as it asks for; stopped and started again with more when a
     * later class asks for more (classes run one after the other here, so nobody else is using
     * it then). A class asking for fewer shares the bigger cluster. Ordering the classes that want
     * two nodes first (e2e/node does) avoids the restart.
     */
    private static synchronized ClusterOutcome nodeCluster(ExtensionContext context, int nodes) {
        ExtensionContext.Store store = context.getRoot().getStore(NAMESPACE);
        ClusterOutcome outcome =
                store.getOrComputeIfAbsent(KubeNode.class, k -> launch(context, true, nodes), ClusterOutcome.class);
        int running = outcome.cluster().map(c -> c.nodes().size()).orElse(nodes);
        if (running >= nodes) {
            return outcome;
        }
        System.err.printf(
                "[kube-harness] %s asks for %d nodes, the running node cluster has %d: starting it again%n",
                context.getRequiredTestClass().getSimpleName(), nodes, running);
        store.remove(KubeNode.class);
        try {
            outcome.close();
        } catch (Exception e) {
            System.err.println("[kube-harness] stopping the node cluster failed: " + e.getMessage());
        }
        ClusterOutcome bigger = launch(context, true, nodes);
        store.put(KubeNode.class, bigger);
        return bigger;
    }

    private static ClusterOutcome launch(ExtensionContext context, boolean node, int nodes) {
        HarnessSettings settings;
        try {
            settings = HarnessSettings.resolve(context::getConfigurationParameter, System::getenv);
        } catch (RuntimeException e) {
            return ClusterOutcome.failed(e);
        }
        ClusterOutcome outcome =
                node ? new ClusterLauncher(settings).launchNode(nodes) : new ClusterLauncher(settings).launch();
        outcome.cluster().ifPresent(c -> {
            try {
                installRepositoryCrds(c, settings);
            } catch (RuntimeException e) {
                try {
                    c.close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
        });
        return outcome;
    }

    private static void installRepositoryCrds(KubeTestCluster cluster, HarnessSettings settings) {
        Optional<Path> dir = settings.crdsDir().or(() -> RepoLayout.findRoot().map(r -> r.resolve("crds")));
        if (dir.isPresent() && Files.isDirectory(dir.get())) {
            long t0 = System.nanoTime();
            List<String> names = Crds.applyDirectory(cluster.client(), dir.get());
            System.err.printf(
                    "[kube-harness] installed CRDs from %s in %.1f s: %s%n",
                    dir.get(), (System.nanoTime() - t0) / 1e9, names);
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        Class<?> type = parameterContext.getParameter().getType();
        return type == KubernetesClient.class
                || type == KubeTestCluster.class
                || type == TestNamespace.class
                || type == KubeNode.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        Class<?> type = parameterContext.getParameter().getType();
        KubeTestCluster cluster = cluster(extensionContext);
        if (type == KubernetesClient.class) {
            return cluster.client();
        }
        if (type == KubeTestCluster.class) {
            return cluster;
        }
        if (type == KubeNode.class) {
            return cluster.node()
                    .orElseThrow(() -> new ParameterResolutionException(
                            "a KubeNode parameter needs @KubeCluster(node = true) on the test class"));
        }
        if (type == TestNamespace.class) {
            String prefix = extensionContext
                    .getTestMethod()
                    .map(m -> m.getName())
                    .orElseGet(() -> extensionContext.getRequiredTestClass().getSimpleName());
            TestNamespace ns = cluster.newTestNamespace(prefix);
            // Stored in the store of the method (or class) asking for it: JUnit closes it, deleting
            // the namespace, when that scope ends.
            extensionContext.getStore(NAMESPACE).put(ns.name(), ns);
            return ns;
        }
        throw new ParameterResolutionException("unsupported parameter " + parameterContext.getParameter());
    }
}
