package io.packetparamedic.e2e.tests;

import io.packetparamedic.e2e.harness.KubeClusterExtension;
import io.packetparamedic.e2e.harness.KubeTestCluster;
import io.packetparamedic.e2e.harness.OperatorProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Starts the packaged operator once per test run, against the harness cluster (register after
 * {@code @KubeCluster}); it is stopped when the run ends. Its log is {@code
 * e2e/tests/target/operator-e2e.log}. Test methods (and {@code @BeforeAll}) may take the
 * {@link OperatorProcess} as a parameter.
 */
public final class OperatorExtension implements BeforeAllCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(OperatorExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        operator(context);
    }

    /**
     * Tests take the {@link OperatorProcess} (the one running now) or, to act on the process itself
     * (kill it, restart it), {@link Running}.
     */
    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == Running.class || type == OperatorProcess.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Running running = operator(context);
        return parameter.getParameter().getType() == Running.class ? running : running.process;
    }

    static Running operator(ExtensionContext context) {
        KubeTestCluster cluster = KubeClusterExtension.cluster(context);
        return context.getRoot()
                .getStore(NAMESPACE)
                .getOrComputeIfAbsent(Running.class, k -> start(cluster), Running.class);
    }

    private static Running start(KubeTestCluster cluster) {
        String leaseNamespace = cluster.createNamespace("pp-operator");
        Path log = Path.of("target", "operator-e2e.log").toAbsolutePath();
        try {
            Files.createDirectories(log.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Running(
                launch(cluster.kubeconfigPath(), leaseNamespace, log), cluster.kubeconfigPath(), leaseNamespace, log);
    }

    private static OperatorProcess launch(Path kubeconfig, String leaseNamespace, Path log) {
        // ApiServerOutageE2ETest stops the API server for outage.seconds (60 by default). The
        // operator's default lease settings (renew deadline 90 s) ride out a one-minute outage, and
        // that default is what the test proves; a longer outage (-Doutage.seconds=300) would make
        // it give its lease up and exit, as it must when another replica may take over, and nothing
        // here restarts it: for those the test operator's deadline is raised above the outage.
        long outage = Long.getLong("outage.seconds", 60);
        Map<String, String> env =
                new java.util.HashMap<>(Map.of("POD_NAMESPACE", leaseNamespace, "POD_NAME", "operator-e2e"));
        if (outage > 60) {
            env.put("PACKETPARAMEDIC_OPERATOR_LEASE_RENEW_DEADLINE", (outage + 30) + "s");
            env.put("PACKETPARAMEDIC_OPERATOR_LEASE_DURATION", (outage + 45) + "s");
        }
        OperatorProcess process = OperatorProcess.start(kubeconfig, env, log);
        try {
            process.awaitReady(Duration.ofSeconds(90));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.close();
            throw new IllegalStateException("interrupted waiting for the operator", e);
        } catch (AssertionError e) {
            process.close();
            throw e;
        }
        return process;
    }

    /** The operator of this run; JUnit closes store values that are AutoCloseable when the run ends. */
    static final class Running implements AutoCloseable {
        volatile OperatorProcess process;
        private final Path kubeconfig;
        private final String leaseNamespace;
        private final Path log;
        private int restarts;
        private final AtomicBoolean closed = new AtomicBoolean();

        Running(OperatorProcess process, Path kubeconfig, String leaseNamespace, Path log) {
            this.process = process;
            this.kubeconfig = kubeconfig;
            this.leaseNamespace = leaseNamespace;
            this.log = log;
        }

        /** SIGKILLs the operator: no shutdown runs and its Lease is not released. */
        synchronized void kill() throws InterruptedException {
            process.kill();
        }

        /** Starts a replacement with the same holder identity and Lease, as a restarted pod would; its log is a new file. */
        synchronized void restart() {
            restarts++;
            Path next =
                    log.resolveSibling(log.getFileName().toString().replace(".log", "-restart" + restarts + ".log"));
            process = launch(kubeconfig, leaseNamespace, next);
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) process.close();
        }
    }
}
