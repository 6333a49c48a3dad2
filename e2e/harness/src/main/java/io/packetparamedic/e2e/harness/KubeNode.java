package io.packetparamedic.e2e.harness;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The real node of a {@code @KubeCluster(node = true)} cluster, started by
 * {@code e2e/hack/node.sh}: kubelet, containerd, kube-scheduler and kube-proxy in a network
 * namespace made by the run. The test JVM reaches {@link #address()} over a veth; nothing else
 * outside that namespace is reachable from it.
 */
public final class KubeNode {

    private final Path script;
    private final Path runDir;
    private final Map<String, String> env;

    KubeNode(Path script, Path runDir, Map<String, String> env) {
        this.script = script;
        this.runDir = runDir;
        this.env = Map.copyOf(env);
    }

    /** Parses the {@code export K='V'} lines of {@code node.sh env}. */
    static Map<String, String> parseEnv(String exports) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : exports.split("\n")) {
            line = line.strip();
            if (!line.startsWith("export ") || !line.contains("=")) {
                continue;
            }
            String kv = line.substring("export ".length());
            String k = kv.substring(0, kv.indexOf('='));
            String v = kv.substring(kv.indexOf('=') + 1);
            if (v.startsWith("'")) {
                v = v.substring(1, v.indexOf('\'', 1));
            }
            m.put(k, v);
        }
        return m;
    }

    /** The Node object's name. */
    public String name() {
        return env.get("PP_NODE_NAME");
    }

    /** The node's InternalIP: hostNetwork pods listen here; the test JVM connects here. */
    public String address() {
        return env.get("PP_NODE_ADDRESS");
    }

    public InetAddress inetAddress() {
        try {
            return InetAddress.getByName(address());
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The host end of the veth: the source address of the test JVM's connections to the node. */
    public String hostAddress() {
        return env.get("PP_NODE_HOST_ADDRESS");
    }

    /** The run's network namespace (under /run/netns). */
    public String netns() {
        return env.get("PP_NODE_NETNS");
    }

    public String podCidr() {
        return env.get("PP_NODE_POD_CIDR");
    }

    public Path runDir() {
        return runDir;
    }

    /**
     * Logs of containerd, kubelet and kube-proxy of this node (and of kube-scheduler and the
     * control plane for the first node).
     */
    public Path logDir() {
        return Path.of(env.getOrDefault("PP_NODE_DIR", runDir.toString())).resolve("logs");
    }

    /** Everything {@code node.sh env} exported (KUBECONFIG, CONTAINER_RUNTIME_ENDPOINT, ...). */
    public Map<String, String> environment() {
        return env;
    }

    /** Runs crictl against the node's containerd; returns its output (stdout then stderr). */
    public String crictl(String... args) {
        // node.sh env names crictl and sets its runtime endpoint (CONTAINER_RUNTIME_ENDPOINT).
        List<String> cmd = new ArrayList<>();
        cmd.add(env.get("PP_NODE_CRICTL"));
        cmd.addAll(List.of(args));
        return run(cmd, Duration.ofSeconds(60)).output;
    }

    /** Runs {@code node.sh <args>} for this node's run dir (for a second node: its whole run's). */
    public CommandResult script(Duration timeout, String... args) {
        List<String> cmd = new ArrayList<>(List.of("bash", script.toString()));
        cmd.addAll(List.of(args));
        return run(cmd, timeout);
    }

    /** Imports OCI archives ({@code ref=archive}) into the node's containerd. */
    public void importImages(String... refEqualsArchive) {
        List<String> args = new ArrayList<>(List.of("import-images"));
        args.addAll(List.of(refEqualsArchive));
        script(Duration.ofMinutes(5), args.toArray(String[]::new)).orThrow();
    }

    /** Image references the node's runtime has (what {@code crictl images} lists). */
    public List<String> images() {
        List<String> refs = new ArrayList<>();
        for (String line : crictl("images", "-o", "table").split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 2 && !f[0].equals("IMAGE") && !f[0].equals("<none>") && !line.startsWith("time=")) {
                refs.add(f[0] + ":" + f[1]);
            }
        }
        return refs;
    }

    /** Runs a command inside the node's network namespace ({@code nsenter --net}). */
    public CommandResult inNamespace(Duration timeout, String... command) {
        List<String> cmd = new ArrayList<>(List.of("nsenter", "--net=/run/netns/" + netns()));
        cmd.addAll(List.of(command));
        return run(cmd, timeout);
    }

    /** Output and exit code of a command. */
    public record CommandResult(List<String> command, int exitCode, String output) {
        public CommandResult orThrow() {
            if (exitCode != 0) {
                throw new IllegalStateException(
                        String.join(" ", command) + " failed with exit " + exitCode + ":\n" + output);
            }
            return this;
        }
    }

    private CommandResult run(List<String> command, Duration timeout) {
        Map<String, String> processEnv = new HashMap<>(env);
        // node.sh env prepends its directories to the caller's PATH.
        processEnv.put(
                "PATH", env.get("PATH") + ":" + System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"));
        processEnv.put("PP_NODE_RUN_DIR", runDir.toString());
        Exec.Result r =
                Exec.of(command).env(processEnv).mergeStderr().timeout(timeout).run();
        return new CommandResult(command, r.exitCode(), r.stdout());
    }
}
