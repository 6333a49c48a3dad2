package io.packetparamedic.e2e.netns;

import io.packetparamedic.e2e.harness.Exec;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds isolated network stacks with the system tools: namespaces, point-to-point links (veth,
 * or a TAP wire when the link is impaired and the kernel has no netem), addresses, routes,
 * nftables rules and forwarding. Every name starts with this run's prefix
 * ({@code ppn<pid base 36>x<n>-}); links and nftables tables live inside those namespaces, so
 * deleting the namespaces removes everything. {@link #close()} does that, also after a failed
 * step; {@link #sweepStale()} removes what a killed run left behind.
 *
 * <p>Nothing is created in the host's own namespace: veth pairs are created inside a test
 * namespace with their peer placed directly into the other one.
 */
public final class Topology implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Topology.class);
    /** Every namespace this code ever creates matches this; group 1 is the owning PID in base 36. */
    public static final Pattern NAME = Pattern.compile("^ppn([0-9a-z]+)x[0-9]+-.*");

    public static final String FAMILY_PREFIX = "ppn";
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static volatile Boolean netemAvailable;

    /** How impaired links are made. */
    public enum ImpairmentMode {
        /** {@code tc qdisc add dev IF root netem ...} on a veth. */
        NETEM,
        /** A TAP device pair joined by the {@code ppn-tapwire} helper. */
        TAP_WIRE
    }

    private final String prefix;
    private final Path workDir;
    private final Path helperSource;
    private final List<String> namespaces = new ArrayList<>();
    private final Deque<AutoCloseable> processes = new ArrayDeque<>();
    private ImpairmentMode impairmentMode;
    private boolean closed;

    private Topology(String prefix, Path workDir, Path helperSource) {
        this.prefix = prefix;
        this.workDir = workDir;
        this.helperSource = helperSource;
    }

    /**
     * A new, empty topology.
     *
     * @param workDir where helper binaries and logs go (e.g. the module's target/)
     * @param helperSource the directory holding {@code ppn-tapwire.c}
     */
    public static Topology create(Path workDir, Path helperSource) {
        String prefix =
                FAMILY_PREFIX + Long.toString(ProcessHandle.current().pid(), 36) + "x" + SEQUENCE.incrementAndGet();
        return new Topology(prefix, workDir, helperSource);
    }

    /** The prefix of every name this topology creates, e.g. {@code ppn2hkcgx1}. */
    public String prefix() {
        return prefix;
    }

    public Path workDir() {
        return workDir;
    }

    /** Creates namespace {@code <prefix>-<role>} with loopback up and forwarding off; returns its name. */
    public String namespace(String role) {
        String name = prefix + "-" + role;
        Commands.run("ip", "netns", "add", name);
        namespaces.add(name);
        Commands.run("ip", "-n", name, "link", "set", "lo", "up");
        sysctl(name, "net.ipv4.ip_forward", "0");
        return name;
    }

    /**
     * Deletes one namespace of this topology now, as a host that vanishes: its links go with it
     * once no process runs inside any more. Teardown then leaves it out.
     */
    public synchronized void remove(String ns) {
        if (!namespaces.remove(ns)) throw new IllegalArgumentException(ns + " is not a namespace of " + prefix);
        Commands.run("ip", "netns", "del", ns);
    }

    /** Turns this namespace into a router: IPv4 forwarding on, inside it only. */
    public void forwarding(String ns) {
        sysctl(ns, "net.ipv4.ip_forward", "1");
    }

    public void sysctl(String ns, String key, String value) {
        exec(ns, "sysctl", "-q", "-w", key + "=" + value);
    }

    public String sysctlValue(String ns, String key) {
        return exec(ns, "sysctl", "-n", key).strip();
    }

    /** The command prefix that runs a program inside {@code ns}: {@code ip netns exec NS}. */
    public static List<String> inNamespace(String ns) {
        return List.of("ip", "netns", "exec", ns);
    }

    /**
     * Links {@code nsA/ifA} (address {@code cidrA}) with {@code nsB/ifB} ({@code cidrB}); what A
     * sends is impaired by {@code aEgress}. Returns how the link was made.
     */
    public ImpairmentMode link(
            String nsA, String ifA, String cidrA, String nsB, String ifB, String cidrB, Impairment aEgress) {
        ImpairmentMode mode = null;
        if (aEgress.none() || impairmentMode() == ImpairmentMode.NETEM) {
            Commands.run("ip", "-n", nsA, "link", "add", ifA, "type", "veth", "peer", "name", ifB, "netns", nsB);
            if (!aEgress.none()) {
                List<String> tc =
                        new ArrayList<>(List.of("tc", "-n", nsA, "qdisc", "add", "dev", ifA, "root", "netem"));
                tc.addAll(List.of(aEgress.netemArgs()));
                Commands.run(tc.toArray(String[]::new));
                mode = ImpairmentMode.NETEM;
            }
        } else {
            Path helper = TapWire.helper(helperSource, workDir);
            Path log = workDir.resolve(prefix + "-wire-" + ifA + "-" + ifB + ".log");
            processes.push(TapWire.start(helper, nsA, ifA, nsB, ifB, aEgress, Impairment.NONE, log));
            mode = ImpairmentMode.TAP_WIRE;
        }
        address(nsA, ifA, cidrA);
        address(nsB, ifB, cidrB);
        Commands.run("ip", "-n", nsA, "link", "set", ifA, "up");
        Commands.run("ip", "-n", nsB, "link", "set", ifB, "up");
        return mode;
    }

    public void address(String ns, String ifName, String cidr) {
        Commands.run("ip", "-n", ns, "addr", "add", cidr, "dev", ifName);
    }

    public void defaultRoute(String ns, String via) {
        Commands.run("ip", "-n", ns, "route", "add", "default", "via", via);
    }

    public void route(String ns, String destination, String via) {
        Commands.run("ip", "-n", ns, "route", "add", destination, "via", via);
    }

    /** Loads an nftables script into {@code ns} ({@code nft -f -}). */
    public void nft(String ns, String script) {
        List<String> command = new ArrayList<>(inNamespace(ns));
        command.addAll(List.of("nft", "-f", "-"));
        Commands.runWithInput(script, command.toArray(String[]::new));
    }

    /** Runs a command inside {@code ns} and returns its stdout. */
    public String exec(String ns, String... command) {
        List<String> full = new ArrayList<>(inNamespace(ns));
        full.addAll(List.of(command));
        return Commands.run(full.toArray(String[]::new));
    }

    /** Registers something running inside this topology (a child JVM, a capture) to stop before teardown. */
    public <T extends AutoCloseable> T own(T process) {
        synchronized (processes) {
            processes.push(process);
        }
        return process;
    }

    /** How impaired links are made here: netem when the kernel has it, else the TAP wire ({@code -Dppn.impairment} overrides). */
    public synchronized ImpairmentMode impairmentMode() {
        if (impairmentMode == null) {
            String forced = System.getProperty("ppn.impairment", "auto").toLowerCase(Locale.ROOT);
            impairmentMode = switch (forced) {
                case "netem" -> ImpairmentMode.NETEM;
                case "wire" -> ImpairmentMode.TAP_WIRE;
                default -> kernelHasNetem() ? ImpairmentMode.NETEM : ImpairmentMode.TAP_WIRE;
            };
        }
        return impairmentMode;
    }

    /** Probes once per JVM, in a scratch namespace, whether {@code tc ... netem} works. */
    private boolean kernelHasNetem() {
        if (netemAvailable == null) {
            String probe = namespace("netem-probe");
            try {
                Commands.run("ip", "-n", probe, "link", "add", "p0", "type", "veth", "peer", "name", "p1");
                netemAvailable = Commands.attempt(
                                "tc", "-n", probe, "qdisc", "add", "dev", "p0", "root", "netem", "delay", "1ms")
                        .ok();
            } finally {
                Commands.attempt("ip", "netns", "del", probe);
                namespaces.remove(probe);
            }
            LOG.info("event=netem_probe available={}", netemAvailable);
        }
        return netemAvailable;
    }

    /** Stops owned processes, then deletes every namespace (and with them links and nftables tables). */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        List<String> failures = new ArrayList<>();
        synchronized (processes) {
            while (!processes.isEmpty()) {
                AutoCloseable p = processes.pop();
                try {
                    p.close();
                } catch (Exception e) {
                    failures.add("stopping " + p + ": " + e.getMessage());
                }
            }
        }
        for (int i = namespaces.size() - 1; i >= 0; i--) {
            Exec.Result r = Commands.attempt("ip", "netns", "del", namespaces.get(i));
            if (!r.ok())
                failures.add(
                        "ip netns del " + namespaces.get(i) + ": " + r.stderr().strip());
        }
        namespaces.clear();
        List<String> left = leftovers(prefix);
        if (!left.isEmpty()) failures.add("still present after teardown: " + left);
        if (!failures.isEmpty()) throw new TopologyException("teardown of " + prefix + " incomplete: " + failures);
        LOG.info("event=topology_removed prefix={}", prefix);
    }

    /**
     * What carries {@code prefix} on this host: network namespaces, links in the host namespace,
     * nftables tables in the host namespace. Empty after a clean teardown.
     */
    public static List<String> leftovers(String prefix) {
        List<String> found = new ArrayList<>();
        // NAME as well: the node harness's namespaces (ppnode-...) start with the family prefix too.
        for (String ns : namespaceNames())
            if (ns.startsWith(prefix) && NAME.matcher(ns).matches()) found.add("namespace " + ns);
        for (String line : Commands.run("ip", "-o", "link", "show").split("\n")) {
            String[] parts = line.split(":\\s+", 3);
            if (parts.length >= 2 && parts[1].split("@")[0].startsWith(prefix)) found.add("link " + parts[1]);
        }
        Exec.Result tables = Commands.attempt("nft", "list", "tables");
        if (tables.ok()) {
            for (String line : tables.stdout().split("\n"))
                if (line.contains(prefix)) found.add("nftables " + line.strip());
        }
        return found;
    }

    /** Names from {@code ip netns list} (which may append " (id: N)"). */
    public static List<String> namespaceNames() {
        List<String> names = new ArrayList<>();
        for (String line : Commands.run("ip", "netns", "list").split("\n")) {
            if (!line.isBlank()) names.add(line.strip().split("\\s+")[0]);
        }
        return names;
    }

    /** Deletes namespaces of this family whose owning process is gone (a run that was killed). */
    public static List<String> sweepStale() {
        List<String> removed = new ArrayList<>();
        for (String ns : namespaceNames()) {
            Matcher m = NAME.matcher(ns);
            if (!m.matches()) continue;
            long owner = Long.parseLong(m.group(1), 36);
            if (ProcessHandle.of(owner).map(ProcessHandle::isAlive).orElse(false)) continue;
            if (Commands.attempt("ip", "netns", "del", ns).ok()) removed.add(ns);
        }
        if (!removed.isEmpty()) LOG.warn("event=stale_namespaces_removed names={}", removed);
        return removed;
    }

    /** True when this process may build topologies: root, with {@code ip netns} working. */
    public static boolean supported() {
        try {
            return "0".equals(Commands.run("id", "-u").strip())
                    && Commands.attempt("ip", "netns", "list").ok();
        } catch (TopologyException e) {
            return false;
        }
    }
}
