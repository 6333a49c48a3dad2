package io.packetparamedic.e2e.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetparamedic.e2e.harness.RepoLayout;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A node of its own (not the suite's shared one), started, given a pod, and torn down, twice: by
 * {@code node.sh stop --clean} (what the harness does at the end of a run) and by its watchdog
 * after the owning process died (a killed test JVM). Both times nothing may be left on the host:
 * no process, mount, cgroup, network namespace, link, runtime or kubelet directory, and the
 * sysctls the kubelet changes are back to their values from before. The watchdog case also runs
 * with two nodes ({@code PP_NODE_COUNT=2}).
 */
@Order(1)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NodeLifecycleTest {

    static final List<String> SYSCTLS = List.of(
            "vm.overcommit_memory",
            "vm.panic_on_oom",
            "kernel.panic",
            "kernel.panic_on_oops",
            "kernel.keys.root_maxkeys",
            "kernel.keys.root_maxbytes",
            "net.ipv4.ip_forward",
            "net.netfilter.nf_conntrack_max");

    static Path script;
    static Map<String, String> sysctlsBefore;

    @BeforeAll
    static void hostIsClean() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "a node needs root");
        script = RepoLayout.requireRoot().resolve(RepoLayout.NODE_SCRIPT);
        Result provision = run(Map.of(), Duration.ofMinutes(60), "provision");
        assertThat(provision.exit).as(provision.output).isZero();
        Result before = run(Map.of(), Duration.ofSeconds(30), "leftovers");
        Assumptions.assumeTrue(
                before.exit == 0,
                "another node run's state is on this host already, so leftovers of this test could not be told apart:\n"
                        + before.output);
        sysctlsBefore = sysctls();
    }

    @Test
    @Order(1)
    void stopCleanLeavesNothing() throws Exception {
        Path runDir = Files.createTempDirectory("pp-node-lifecycle-");
        Map<String, String> env = Map.of("PP_NODE_RUN_DIR", runDir.toString());
        long t0 = System.nanoTime();
        Result start = run(env, Duration.ofMinutes(4), "start");
        assertThat(start.exit).as(start.output).isZero();
        System.err.printf("[node-e2e] node started in %.1f s%n", (System.nanoTime() - t0) / 1e9);
        runPod(env, "pp-node");
        assertThat(sysctls())
                .as("the kubelet changed its sysctls while it runs")
                .containsEntry("vm.overcommit_memory", "1");

        long s0 = System.nanoTime();
        Result stop = run(env, Duration.ofMinutes(2), "stop", "--clean");
        assertThat(stop.exit).as(stop.output).isZero();
        System.err.printf("[node-e2e] node stopped (--clean) in %.1f s%n", (System.nanoTime() - s0) / 1e9);
        assertNothingLeft(runDir);
    }

    @Test
    @Order(2)
    void theWatchdogCleansUpAfterTheOwnerDies() throws Exception {
        watchdogRun(1, "pp-node-watchdog-");
    }

    /** Two nodes (PP_NODE_COUNT=2), a pod on each: the watchdog's stop takes node b down too. */
    @Test
    @Order(3)
    void theWatchdogCleansUpBothNodesAfterTheOwnerDies() throws Exception {
        watchdogRun(2, "pp-node-watchdog2-");
    }

    private static void watchdogRun(int nodes, String prefix) throws Exception {
        Path runDir = Files.createTempDirectory(prefix);
        // The "test JVM" that dies: a sleep that is killed once the node runs.
        Process owner = new ProcessBuilder("sleep", "600").start();
        long watchdog;
        try {
            Map<String, String> env = Map.of(
                    "PP_NODE_RUN_DIR",
                    runDir.toString(),
                    "PP_NODE_OWNER_PID",
                    Long.toString(owner.pid()),
                    "PP_NODE_COUNT",
                    Integer.toString(nodes));
            long t0 = System.nanoTime();
            Result start = run(env, Duration.ofMinutes(4), "start");
            assertThat(start.exit).as(start.output).isZero();
            System.err.printf("[node-e2e] %d node(s) started in %.1f s%n", nodes, (System.nanoTime() - t0) / 1e9);
            watchdog = Long.parseLong(
                    Files.readString(runDir.resolve("pids/watchdog.pid")).strip());
            runPod(env, "pp-node");
            if (nodes == 2) {
                assertThat(envOf(env, "b")).containsEntry("PP_NODE_NAME", "pp-node-b");
                runPod(env, "pp-node-b");
            }
        } finally {
            owner.destroyForcibly().waitFor();
        }
        long k0 = System.nanoTime();
        // The watchdog removes the run dir near the end of its stop and exits after it: wait for
        // the process itself, not for the directory.
        Optional<ProcessHandle> handle = ProcessHandle.of(watchdog);
        if (handle.isPresent()) {
            handle.get().onExit().get(90, TimeUnit.SECONDS);
        }
        System.err.printf(
                "[node-e2e] watchdog (%d node(s)) done %.1f s after the owner died%n",
                nodes, (System.nanoTime() - k0) / 1e9);
        assertNothingLeft(runDir);
    }

    /**
     * A hostNetwork pod from the node's local sandbox image on node {@code node}, Running and
     * Ready: containers, mounts and cgroups exist.
     */
    private static void runPod(Map<String, String> env, String node) throws Exception {
        Map<String, String> kube = envOf(env, "a");
        String kubectl = Path.of(kube.get("PATH").split(":")[0], "kubectl").toString();
        List<String> base = List.of(kubectl, "--kubeconfig=" + kube.get("KUBECONFIG"));
        String name = node.equals("pp-node") ? "lifecycle" : "lifecycle-" + node;
        String pod = """
                apiVersion: v1
                kind: Pod
                metadata: {name: %s, namespace: default}
                spec:
                  nodeName: %s
                  hostNetwork: true
                  containers:
                  - {name: main, image: localhost/packetparamedic/pause:dev, imagePullPolicy: Never}
                """.formatted(name, node);
        Path in = Files.createTempFile("pod", ".yaml");
        try {
            Files.writeString(in, pod);
            List<String> apply = new ArrayList<>(base);
            apply.addAll(List.of("apply", "-f", in.toString()));
            Result applied = exec(apply, Map.of(), Duration.ofSeconds(30));
            assertThat(applied.exit).as(applied.output).isZero();
            List<String> wait = new ArrayList<>(base);
            wait.addAll(List.of("wait", "--for=condition=Ready", "pod/" + name, "--timeout=60s"));
            Result r = exec(wait, Map.of(), Duration.ofSeconds(90));
            assertThat(r.exit).as(r.output).isZero();
        } finally {
            Files.deleteIfExists(in);
        }
    }

    private static void assertNothingLeft(Path runDir) throws Exception {
        Result left = run(Map.of(), Duration.ofSeconds(30), "leftovers");
        assertThat(left.output.lines().filter(l -> !l.startsWith("[")).toList())
                .as("node.sh leftovers")
                .isEmpty();
        assertThat(left.exit).isZero();
        assertThat(runDir).doesNotExist();
        assertThat(sysctls()).as("sysctls after stop").isEqualTo(sysctlsBefore);
        // No process of the run, zombies included.
        try (var procs = Files.list(Path.of("/proc"))) {
            List<String> mine = procs.filter(p -> p.getFileName().toString().matches("\\d+"))
                    .map(p -> {
                        try {
                            return new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8)
                                    .replace('\0', ' ');
                        } catch (IOException e) {
                            return "";
                        }
                    })
                    .filter(c -> c.contains(runDir.toString()))
                    .toList();
            assertThat(mine).as("processes of the run").isEmpty();
        }
        String mounts = Files.readString(Path.of("/proc/self/mounts"));
        assertThat(mounts).doesNotContain(runDir.toString());
    }

    static Map<String, String> sysctls() throws Exception {
        Map<String, String> m = new LinkedHashMap<>();
        for (String k : SYSCTLS) {
            Path p = Path.of("/proc/sys", k.replace('.', '/'));
            m.put(k, Files.exists(p) ? Files.readString(p).strip() : "(absent)");
        }
        return m;
    }

    private static Map<String, String> envOf(Map<String, String> env, String node) throws Exception {
        Result r = run(env, Duration.ofSeconds(30), "env", node);
        assertThat(r.exit).as(r.output).isZero();
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : r.output.split("\n")) {
            if (line.startsWith("export ")) {
                String kv = line.substring(7);
                String v = kv.substring(kv.indexOf('=') + 1);
                if (v.startsWith("'")) v = v.substring(1, v.indexOf('\'', 1));
                m.put(kv.substring(0, kv.indexOf('=')), v);
            }
        }
        return m;
    }

    record Result(int exit, String output) {}

    static Result run(Map<String, String> env, Duration timeout, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", script.toString()));
        cmd.addAll(List.of(args));
        return exec(cmd, env, timeout);
    }

    static Result exec(List<String> cmd, Map<String, String> env, Duration timeout) throws Exception {
        Path out = Files.createTempFile("node-lifecycle", ".out");
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(cmd + " did not finish within " + timeout + ":\n" + Files.readString(out));
            }
            return new Result(p.exitValue(), Files.readString(out));
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
