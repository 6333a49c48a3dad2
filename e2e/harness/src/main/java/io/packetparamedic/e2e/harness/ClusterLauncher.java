package io.packetparamedic.e2e.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * Starts the cluster that {@link HarnessSettings#cluster()} selects. Never throws: what
 * happened is returned as a {@link ClusterOutcome} so that it can be remembered for the whole
 * run (a failed 90-second start is not retried by every test class).
 */
public final class ClusterLauncher {

    /** Cold provisioning compiles Kubernetes: on 2 cores that is tens of minutes. */
    static final Duration PROVISION_TIMEOUT = Duration.ofMinutes(60);

    static final Duration START_TIMEOUT = Duration.ofMinutes(4);

    private final HarnessSettings settings;
    private final BooleanSupplier containerEngineAvailable;

    public ClusterLauncher(HarnessSettings settings) {
        this(settings, ClusterLauncher::testcontainersFindsEngine);
    }

    /** @param containerEngineAvailable probe used for {@link ClusterKind#K3S}; replaceable in tests */
    public ClusterLauncher(HarnessSettings settings, BooleanSupplier containerEngineAvailable) {
        this.settings = settings;
        this.containerEngineAvailable = containerEngineAvailable;
    }

    public ClusterOutcome launch() {
        try {
            switch (settings.cluster()) {
                case LOCAL:
                    return ClusterOutcome.ready(startLocal());
                case K3S:
                    if (!containerEngineAvailable.getAsBoolean()) {
                        return ClusterOutcome.unavailable(
                                "pp.cluster=k3s needs a container engine, but Testcontainers found none usable"
                                        + " (no reachable Docker/Podman socket or DOCKER_HOST); skipping tests that need"
                                        + " a cluster. Use pp.cluster=local for the built-in control plane.");
                    }
                    return ClusterOutcome.ready(startK3s());
                case KUBECONFIG:
                    return ClusterOutcome.ready(useKubeconfig());
                default:
                    throw new IllegalStateException("unknown cluster kind " + settings.cluster());
            }
        } catch (RuntimeException | Error e) {
            return ClusterOutcome.failed(e);
        }
    }

    /**
     * Starts the cluster of {@code @KubeCluster(node = true)}: control plane and a real node
     * ({@code e2e/hack/node.sh}), then the local images. Never throws, like {@link #launch()}.
     */
    public ClusterOutcome launchNode() {
        return launchNode(1);
    }

    /** Like {@link #launchNode()}, with {@code nodes} (1 or 2) real nodes ({@code PP_NODE_COUNT}). */
    public ClusterOutcome launchNode(int nodes) {
        if (nodes < 1 || nodes > 2) {
            return ClusterOutcome.failed(
                    new IllegalArgumentException("@KubeCluster(nodes = " + nodes + "): node.sh starts 1 or 2 nodes"));
        }
        if (settings.cluster() != ClusterKind.LOCAL) {
            return ClusterOutcome.unavailable("@KubeCluster(node = true) needs pp.cluster=local (a node made by"
                    + " e2e/hack/node.sh); pp.cluster="
                    + settings.cluster().name().toLowerCase(java.util.Locale.ROOT)
                    + " is selected, so tests that need a node are skipped");
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            return ClusterOutcome.unavailable("a node (kubelet, containerd, network namespace) needs root");
        }
        try {
            return ClusterOutcome.ready(startNode(nodes));
        } catch (RuntimeException | Error e) {
            return ClusterOutcome.failed(e);
        }
    }

    private KubeTestCluster startNode(int nodes) {
        Path root = RepoLayout.requireRoot();
        Path script = root.resolve(RepoLayout.NODE_SCRIPT);
        Path runDir = settings.nodeRunDir()
                .orElseGet(() -> Path.of(
                        System.getProperty("java.io.tmpdir"),
                        "pp-node-" + ProcessHandle.current().pid()));
        Path log = runDir.resolveSibling(runDir.getFileName() + ".harness.log");
        Map<String, String> env = Map.of(
                "PP_NODE_RUN_DIR",
                runDir.toString(),
                // node.sh's watchdog tears the node down if this JVM dies without closing it.
                "PP_NODE_OWNER_PID",
                Long.toString(ProcessHandle.current().pid()),
                "PP_NODE_COUNT",
                Integer.toString(nodes));
        long p0 = System.nanoTime();
        runScript(script, env, log, PROVISION_TIMEOUT, "provision");
        System.err.printf("[kube-harness] node binaries provisioned in %.1f s%n", (System.nanoTime() - p0) / 1e9);

        AtomicBoolean stopped = new AtomicBoolean();
        Runnable stop = () -> {
            if (settings.keepRunning() || !stopped.compareAndSet(false, true)) {
                return;
            }
            try {
                long s0 = System.nanoTime();
                runScript(script, env, log, Duration.ofMinutes(2), "stop", "--clean");
                System.err.printf(
                        "[kube-harness] node stopped and cleaned in %.1f s%n", (System.nanoTime() - s0) / 1e9);
                Files.deleteIfExists(log);
            } catch (RuntimeException | IOException e) {
                System.err.println("[kube-harness] stopping the node failed: " + e.getMessage());
            }
        };
        Thread hook = new Thread(stop, "kube-harness-node-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            long t0 = System.nanoTime();
            runScript(script, env, log, START_TIMEOUT, "start");
            System.err.printf(
                    "[kube-harness] control plane + node ready in %.1f s (run dir %s)%n",
                    (System.nanoTime() - t0) / 1e9, runDir);
            List<KubeNode> all = new ArrayList<>();
            for (String which : nodes == 2 ? List.of("a", "b") : List.of("a")) {
                all.add(new KubeNode(
                        script,
                        runDir,
                        KubeNode.parseEnv(runScript(script, env, log, Duration.ofSeconds(30), "env", which))));
            }
            KubeNode node = all.get(0);
            importImages(root, all, log);
            AutoCloseable shutdown = () -> {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException alreadyShuttingDown) {
                    // the hook runs (or ran) anyway
                }
                stop.run();
            };
            return new KubeTestCluster(
                    ClusterKind.LOCAL,
                    Path.of(node.environment().get("KUBECONFIG")),
                    Path.of(
                            runScript(
                                            root.resolve(RepoLayout.CONTROL_PLANE_SCRIPT),
                                            Map.of(),
                                            log,
                                            Duration.ofSeconds(30),
                                            "bin-dir")
                                    .strip(),
                            "kubectl"),
                    shutdown,
                    all);
        } catch (RuntimeException | Error e) {
            stop.run();
            throw e;
        }
    }

    /**
     * The local images into every node's containerd ({@code node.sh import-images} imports into
     * all of them): the archives named by {@code pp.node.images}
     * ({@code ref=archive,...}) if set; otherwise what {@code e2e/hack/images.sh} builds (when
     * that script exists and {@code pp.node.buildImages} is not false) and lists.
     */
    private void importImages(Path root, List<KubeNode> nodes, Path log) {
        KubeNode node = nodes.get(0);
        long t0 = System.nanoTime();
        if (settings.nodeImages().isPresent()) {
            node.importImages(settings.nodeImages().get().split(","));
        } else {
            Path images = root.resolve(RepoLayout.IMAGES_SCRIPT);
            if (Files.isRegularFile(images) && settings.buildImages()) {
                long b0 = System.nanoTime();
                runScript(images, Map.of(), log, PROVISION_TIMEOUT, "provision");
                runScript(images, Map.of(), log, PROVISION_TIMEOUT, "build");
                System.err.printf("[kube-harness] local images built in %.1f s%n", (System.nanoTime() - b0) / 1e9);
            }
            node.script(Duration.ofMinutes(5), "import-images").orThrow();
        }
        for (KubeNode n : nodes) {
            System.err.printf(
                    "[kube-harness] images on node %s after %.1f s: %s%n",
                    n.name(), (System.nanoTime() - t0) / 1e9, n.images());
        }
    }

    static boolean testcontainersFindsEngine() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (Throwable t) {
            return false;
        }
    }

    // ------------------------------------------------------------------------------ local

    private KubeTestCluster startLocal() {
        Path root = RepoLayout.requireRoot();
        Path script = root.resolve(RepoLayout.CONTROL_PLANE_SCRIPT);
        if (!Files.isRegularFile(script)) {
            throw new IllegalStateException("missing " + script);
        }
        // Per-JVM run dir by default: colleagues' and CI's test runs on the same machine must not
        // share (or stop) each other's control plane.
        Path runDir = settings.runDir()
                .orElseGet(() -> Path.of(
                        System.getProperty("java.io.tmpdir"),
                        "pp-control-plane-" + ProcessHandle.current().pid()));
        Path log = runDir.resolveSibling(runDir.getFileName() + ".harness.log");
        long p0 = System.nanoTime();
        runScript(script, runDir, log, PROVISION_TIMEOUT, "provision");
        System.err.printf(
                "[kube-harness] control plane binaries provisioned in %.1f s%n", (System.nanoTime() - p0) / 1e9);
        String binDir = runScript(script, runDir, log, Duration.ofSeconds(30), "bin-dir")
                .strip();
        long t0 = System.nanoTime();
        runScript(script, runDir, log, START_TIMEOUT, "start");
        System.err.printf(
                "[kube-harness] local control plane ready in %.1f s (run dir %s)%n",
                (System.nanoTime() - t0) / 1e9, runDir);

        AtomicBoolean stopped = new AtomicBoolean();
        Runnable stop = () -> {
            if (settings.keepRunning() || !stopped.compareAndSet(false, true)) {
                return;
            }
            try {
                runScript(script, runDir, log, Duration.ofSeconds(60), "stop", "--clean");
                Files.deleteIfExists(log);
            } catch (RuntimeException | IOException e) {
                System.err.println("[kube-harness] stopping the control plane failed: " + e.getMessage());
            }
        };
        // Safety net for runs that end without closing the JUnit root store (e.g. System.exit).
        Thread hook = new Thread(stop, "kube-harness-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        AutoCloseable shutdown = () -> {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException alreadyShuttingDown) {
                // the hook runs (or ran) anyway
            }
            stop.run();
        };
        try {
            return new KubeTestCluster(
                            ClusterKind.LOCAL, runDir.resolve("admin.kubeconfig"), Path.of(binDir, "kubectl"), shutdown)
                    .withApiServerSwitch(new ApiServerSwitch() {
                        @Override
                        public void stop() {
                            runScript(script, runDir, log, Duration.ofSeconds(30), "apiserver-stop");
                        }

                        @Override
                        public void start() {
                            runScript(script, runDir, log, START_TIMEOUT, "apiserver-start");
                        }

                        @Override
                        public void freeze() {
                            runScript(script, runDir, log, Duration.ofSeconds(30), "apiserver-freeze");
                        }

                        @Override
                        public void thaw() {
                            runScript(script, runDir, log, Duration.ofSeconds(30), "apiserver-thaw");
                        }
                    });
        } catch (RuntimeException e) {
            stop.run();
            throw e;
        }
    }

    /** Runs control-plane.sh; output goes to {@code log}; returns stdout of this call. */
    private static String runScript(Path script, Path runDir, Path log, Duration timeout, String... args) {
        // The script's watchdog stops the control plane if this JVM dies without closing it
        // (killed fork, Ctrl-C): shutdown hooks do not run on SIGKILL.
        return runScript(
                script,
                Map.of(
                        "PP_CP_RUN_DIR",
                        runDir.toString(),
                        "PP_CP_OWNER_PID",
                        Long.toString(ProcessHandle.current().pid())),
                log,
                timeout,
                args);
    }

    /** Runs a script with extra environment; output goes to {@code log}; returns its stdout. */
    static String runScript(Path script, Map<String, String> env, Path log, Duration timeout, String... args) {
        List<String> command = new ArrayList<>(List.of("bash", script.toString()));
        command.addAll(List.of(args));
        Exec.Result r;
        try {
            // Not inherited: in a Surefire fork, stdout is Surefire's channel to Maven.
            r = Exec.of(command).env(env).stderrTo(log).timeout(timeout).run();
        } catch (IllegalStateException e) {
            throw new IllegalStateException(e.getMessage() + "\n" + ProcessLog.tail(log, 40), e);
        }
        if (!r.ok()) {
            throw new IllegalStateException(String.join(" ", command) + " failed with exit " + r.exitCode() + " (log: "
                    + log + ")\n" + ProcessLog.tail(log, 40));
        }
        return r.stdout();
    }

    // ------------------------------------------------------------------------------ k3s

    private KubeTestCluster startK3s() {
        K3sContainer k3s =
                new K3sContainer(DockerImageName.parse(settings.k3sImage()).asCompatibleSubstituteFor("rancher/k3s"));
        k3s.start();
        try {
            Path kubeconfig = Files.createTempFile("k3s", ".kubeconfig");
            Files.writeString(kubeconfig, k3s.getKubeConfigYaml(), StandardCharsets.UTF_8);
            return new KubeTestCluster(ClusterKind.K3S, kubeconfig, externalKubectl(), () -> {
                k3s.stop();
                Files.deleteIfExists(kubeconfig);
            });
        } catch (IOException | RuntimeException e) {
            k3s.stop();
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    // ------------------------------------------------------------------------------ kubeconfig

    private KubeTestCluster useKubeconfig() {
        Path kubeconfig = settings.kubeconfig()
                .orElseThrow(() ->
                        new IllegalStateException("pp.cluster=kubeconfig needs -Dpp.kubeconfig=<file> or KUBECONFIG"));
        if (!Files.isReadable(kubeconfig)) {
            throw new IllegalStateException("kubeconfig " + kubeconfig + " is not readable");
        }
        return new KubeTestCluster(ClusterKind.KUBECONFIG, kubeconfig, externalKubectl(), () -> {});
    }

    /** pp.kubectl, else the control plane's cached kubectl when provisioned, else kubectl on PATH. */
    private Path externalKubectl() {
        if (settings.kubectl().isPresent()) {
            return settings.kubectl().get();
        }
        Optional<Path> cached = RepoLayout.findRoot()
                .map(r -> r.resolve(RepoLayout.CONTROL_PLANE_SCRIPT))
                .filter(Files::isRegularFile)
                .flatMap(script -> {
                    try {
                        Path tmp = Files.createTempDirectory("pp-bin-dir");
                        try {
                            String dir = runScript(script, tmp, tmp.resolve("log"), Duration.ofSeconds(30), "bin-dir")
                                    .strip();
                            return Optional.of(Path.of(dir, "kubectl")).filter(Files::isExecutable);
                        } finally {
                            Files.deleteIfExists(tmp.resolve("log"));
                            Files.deleteIfExists(tmp);
                        }
                    } catch (IOException | RuntimeException e) {
                        return Optional.empty();
                    }
                });
        return cached.orElse(Path.of("kubectl"));
    }
}
