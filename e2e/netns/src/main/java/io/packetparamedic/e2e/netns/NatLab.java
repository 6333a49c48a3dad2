package io.packetparamedic.e2e.netns;

import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.api.pairing.PairingCodes;
import io.packetparamedic.e2e.harness.ReflectorProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The NAT laboratory: an "internet" router, a public segment holding the reflector, and appliance
 * namespaces behind each kind of NAT, plain and with an impaired uplink.
 *
 * <pre>
 *  refl 203.0.113.10 ── inet (router, 203.0.113.1; no route to private space)
 *   ├─ 198.51.100.0/28   appliance "direct" (public address, no NAT)
 *   ├─ 198.51.100.48/28  appliance "direct" impaired
 *   ├─ 198.51.100.16/28  cgnat (WAN .18, and .19 for UDP of the "split" carrier case)
 *   │    ├─ 100.64.1.0/24  appliance behind CGNAT
 *   │    ├─ 100.64.3.0/24  appliance behind CGNAT, impaired
 *   │    ├─ 100.64.5.0/24  appliance whose UDP leaves through 198.51.100.19, TCP through .18
 *   │    └─ 100.64.2.0/24  home router (WAN 100.64.2.10)
 *   │         ├─ 192.168.1.0/24   appliance behind double NAT
 *   │         └─ 192.168.11.0/24  appliance behind double NAT, impaired
 *   └─ 198.51.100.32/28  symmetric NAT (WAN .34; masquerade fully-random)
 *        ├─ 192.168.2.0/24   appliance behind symmetric NAT
 *        └─ 192.168.12.0/24  appliance behind symmetric NAT, impaired
 * </pre>
 *
 * Impairment ({@link #UPLINK}) is applied to what the appliance sends on its uplink, so a round
 * trip crosses it once: echo RTT ≈ configured delay, loss ≈ configured loss.
 */
public final class NatLab implements AutoCloseable {

    public static final String REFLECTOR_IP = "203.0.113.10";
    public static final String CGNAT_PUBLIC_IP = "198.51.100.18";
    public static final String CGNAT_UDP_IP = "198.51.100.19";
    public static final String SYMMETRIC_PUBLIC_IP = "198.51.100.34";
    public static final String DIRECT_IP = "198.51.100.2";
    /** 50 ms ± 10 ms and 1 % loss on the appliance's uplink egress. */
    public static final Impairment UPLINK = new Impairment(50, 10, 1.0);

    /** Where an appliance sits. */
    public enum Nat {
        NONE("no NAT"),
        CGNAT("CGNAT"),
        DOUBLE_NAT("double NAT"),
        SYMMETRIC("symmetric NAT");

        public final String label;

        Nat(String label) {
            this.label = label;
        }
    }

    /** One appliance namespace: its NAT, whether its uplink is impaired, its own and its public address. */
    public record Appliance(
            String role, Nat nat, boolean impaired, String namespace, String address, String publicAddress) {
        public String label() {
            return nat.label + (impaired ? " + impaired" : "");
        }
    }

    private final Topology topology;
    private final Path workDir;
    private final Map<Nat, Appliance> plain = new EnumMap<>(Nat.class);
    private final Map<Nat, Appliance> impaired = new EnumMap<>(Nat.class);
    private final Map<String, String> routers = new LinkedHashMap<>();
    private final Deque<String> pairingCodes = new ArrayDeque<>();
    private Appliance split;
    private String reflectorNs;
    private String internetNs;
    private Topology.ImpairmentMode impairmentMode;

    private NatLab(Topology topology, Path workDir) {
        this.topology = topology;
        this.workDir = workDir;
    }

    /** Builds the whole lab; on any failure removes what was built and rethrows. */
    public static NatLab build(Path workDir, Path helperSource) {
        Topology.sweepStale();
        Topology t = Topology.create(workDir, helperSource);
        NatLab lab = new NatLab(t, workDir.resolve(t.prefix()));
        try {
            Files.createDirectories(lab.workDir);
            lab.wire();
            return lab;
        } catch (IOException e) {
            t.close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            try {
                t.close();
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    private void wire() {
        Topology t = topology;
        internetNs = t.namespace("inet");
        reflectorNs = t.namespace("refl");
        String cgnat = t.namespace("cgnat");
        String home = t.namespace("home");
        String sym = t.namespace("symnat");
        routers.put("inet", internetNs);
        routers.put("cgnat", cgnat);
        routers.put("home", home);
        routers.put("symnat", sym);
        routers.values().forEach(t::forwarding);

        // Public side.
        t.link(reflectorNs, "pub0", REFLECTOR_IP + "/24", internetNs, "refl0", "203.0.113.1/24", Impairment.NONE);
        t.defaultRoute(reflectorNs, "203.0.113.1");
        t.link(cgnat, "wan0", CGNAT_PUBLIC_IP + "/28", internetNs, "cg0", "198.51.100.17/28", Impairment.NONE);
        t.address(cgnat, "wan0", CGNAT_UDP_IP + "/28");
        t.defaultRoute(cgnat, "198.51.100.17");
        t.link(sym, "wan0", SYMMETRIC_PUBLIC_IP + "/28", internetNs, "sym0", "198.51.100.33/28", Impairment.NONE);
        t.defaultRoute(sym, "198.51.100.33");

        // No NAT: the appliance holds a public address.
        plain.put(
                Nat.NONE,
                appliance("direct", Nat.NONE, false, internetNs, "dir0", "198.51.100.1", DIRECT_IP, 28, DIRECT_IP));
        impaired.put(
                Nat.NONE,
                appliance(
                        "direct-imp",
                        Nat.NONE,
                        true,
                        internetNs,
                        "dirimp0",
                        "198.51.100.49",
                        "198.51.100.50",
                        28,
                        "198.51.100.50"));

        // CGNAT: subscribers in 100.64.0.0/10, masqueraded to the carrier's public address.
        plain.put(
                Nat.CGNAT,
                appliance("cgnat", Nat.CGNAT, false, cgnat, "sub1", "100.64.1.1", "100.64.1.10", 24, CGNAT_PUBLIC_IP));
        impaired.put(
                Nat.CGNAT,
                appliance(
                        "cgnat-imp", Nat.CGNAT, true, cgnat, "sub3", "100.64.3.1", "100.64.3.10", 24, CGNAT_PUBLIC_IP));
        split = appliance("split", Nat.CGNAT, false, cgnat, "sub5", "100.64.5.1", "100.64.5.10", 24, CGNAT_PUBLIC_IP);
        t.link(home, "wan0", "100.64.2.10/24", cgnat, "sub2", "100.64.2.1/24", Impairment.NONE);
        t.defaultRoute(home, "100.64.2.1");
        t.nft(cgnat, natTable("""
                    oifname "wan0" ip saddr 100.64.5.0/24 meta l4proto udp snat to %s
                    oifname "wan0" ip saddr 100.64.0.0/10 masquerade
                """.formatted(CGNAT_UDP_IP)));

        // Double NAT: a home router (192.168.1.0/24) behind the CGNAT.
        plain.put(
                Nat.DOUBLE_NAT,
                appliance(
                        "double",
                        Nat.DOUBLE_NAT,
                        false,
                        home,
                        "lan0",
                        "192.168.1.1",
                        "192.168.1.10",
                        24,
                        CGNAT_PUBLIC_IP));
        impaired.put(
                Nat.DOUBLE_NAT,
                appliance(
                        "double-imp",
                        Nat.DOUBLE_NAT,
                        true,
                        home,
                        "lan1",
                        "192.168.11.1",
                        "192.168.11.10",
                        24,
                        CGNAT_PUBLIC_IP));
        t.nft(home, natTable("""
                    oifname "wan0" masquerade
                """));

        // Symmetric NAT: every new flow gets a random public port, so the mapping differs per destination.
        plain.put(
                Nat.SYMMETRIC,
                appliance(
                        "sym",
                        Nat.SYMMETRIC,
                        false,
                        sym,
                        "lan0",
                        "192.168.2.1",
                        "192.168.2.10",
                        24,
                        SYMMETRIC_PUBLIC_IP));
        impaired.put(
                Nat.SYMMETRIC,
                appliance(
                        "sym-imp",
                        Nat.SYMMETRIC,
                        true,
                        sym,
                        "lan1",
                        "192.168.12.1",
                        "192.168.12.10",
                        24,
                        SYMMETRIC_PUBLIC_IP));
        t.nft(sym, natTable("""
                    oifname "wan0" masquerade fully-random
                """));
    }

    /** A NAT table named after this run: source NAT rules, and no unsolicited flows in from the WAN. */
    private String natTable(String postroutingRules) {
        String table = topology.prefix() + "_nat";
        return """
                table ip %s {
                  chain postrouting {
                    type nat hook postrouting priority srcnat; policy accept;
                %s  }
                  chain forward {
                    type filter hook forward priority filter; policy accept;
                    iifname "wan0" ct state new drop
                  }
                }
                """.formatted(table, postroutingRules);
    }

    private Appliance appliance(
            String role,
            Nat nat,
            boolean impairedUplink,
            String gatewayNs,
            String gatewayIf,
            String gatewayIp,
            String address,
            int prefixLength,
            String publicAddress) {
        String ns = topology.namespace("app-" + role);
        Topology.ImpairmentMode mode = topology.link(
                ns,
                "up0",
                address + "/" + prefixLength,
                gatewayNs,
                gatewayIf,
                gatewayIp + "/" + prefixLength,
                impairedUplink ? UPLINK : Impairment.NONE);
        if (mode != null) impairmentMode = mode;
        topology.defaultRoute(ns, gatewayIp);
        return new Appliance(role, nat, impairedUplink, ns, address, publicAddress);
    }

    public Topology topology() {
        return topology;
    }

    public Path workDir() {
        return workDir;
    }

    public String reflectorNamespace() {
        return reflectorNs;
    }

    public String internetNamespace() {
        return internetNs;
    }

    /** Router role → namespace. */
    public Map<String, String> routers() {
        return Map.copyOf(routers);
    }

    public Appliance appliance(Nat nat, boolean impairedUplink) {
        return (impairedUplink ? impaired : plain).get(nat);
    }

    /** The eight matrix cells: each NAT, plain then impaired. */
    public List<Appliance> cells() {
        List<Appliance> all = new ArrayList<>();
        for (Nat n : Nat.values()) all.add(plain.get(n));
        for (Nat n : Nat.values()) all.add(impaired.get(n));
        return all;
    }

    /** The appliance behind the CGNAT whose UDP leaves through another public address than its TCP. */
    public Appliance splitAppliance() {
        return split;
    }

    public List<Appliance> allAppliances() {
        List<Appliance> all = cells();
        all.add(split);
        return all;
    }

    /** How the impaired links were made (netem, or the TAP wire on kernels without netem). */
    public Topology.ImpairmentMode impairmentMode() {
        return impairmentMode;
    }

    /** A reflector ({@code reflector serve}) in the reflector namespace; {@link #close()} on the lab stops it too. */
    public record RunningReflector(
            String name,
            String endpointId,
            String address,
            int port,
            int dataPortStart,
            int dataPortEnd,
            Path dir,
            ReflectorProcess process) {
        public String server() {
            return address + ":" + port;
        }
    }

    /** What a reflector instance is configured with. */
    public record ReflectorSpec(
            String name,
            int port,
            int healthPort,
            int dataPortStart,
            int dataPortEnd,
            boolean udpEchoSourceCheck,
            int pairingCodes,
            List<String> authorizedPeers) {}

    /**
     * Writes a config file for {@code spec} and runs the packaged reflector on it ({@code ip netns exec
     * REFL java -jar reflector.jar serve -c FILE}), waiting until its banner says it serves.
     */
    public RunningReflector startReflector(ReflectorSpec spec) throws InterruptedException {
        Path dir = workDir.resolve(spec.name());
        StringBuilder codes = new StringBuilder();
        for (int i = 0; i < spec.pairingCodes(); i++) {
            String code = PairingCodes.generate();
            synchronized (pairingCodes) {
                pairingCodes.add(code);
            }
            codes.append("\n[[access.pairing_codes]]\ncode = \"").append(code).append("\"\n");
        }
        StringBuilder peers = new StringBuilder();
        for (String p : spec.authorizedPeers())
            peers.append(peers.length() == 0 ? "" : ", ").append('"').append(p).append('"');
        String toml = """
                # Written by the netns e2e tests for one run.
                [identity]
                private_key_path = "%1$s/identity.ed25519"

                [network]
                listen_address = "%2$s:%3$d"
                listen_address_health = "%2$s:%4$d"
                mode = "direct_ephemeral"
                data_port_range_start = %5$d
                data_port_range_end = %6$d
                udp_echo_source_check = %7$s

                [access]
                authorized_peers = [%8$s]

                # Generous quotas, so the matrix is never rate limited (cooldown and hourly tests).
                [quotas]
                max_test_duration_sec = 30
                max_concurrent_tests = 1
                max_tests_per_hour_per_peer = 1000
                max_bytes_per_day_per_peer = 1000000000000
                cooldown_sec = 0
                udp_echo_max_packet_rate = 2000

                [iperf3]
                default_streams = 1

                [logging]
                level = "info"
                audit_log_path = "%1$s/audit.jsonl"

                [state]
                data_dir = "%1$s"
                %9$s""".formatted(
                        dir,
                        REFLECTOR_IP,
                        spec.port(),
                        spec.healthPort(),
                        spec.dataPortStart(),
                        spec.dataPortEnd(),
                        spec.udpEchoSourceCheck(),
                        peers,
                        codes);
        Path config = dir.resolve("reflector.toml");
        try {
            Files.createDirectories(dir);
            Files.writeString(config, toml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ReflectorProcess process;
        try {
            process = topology.own(ReflectorProcess.serve(
                    Topology.inNamespace(reflectorNs), List.of("-Xmx512m"), config, dir.resolve("reflector.log")));
        } catch (IOException e) {
            throw new TopologyException("cannot start reflector " + spec.name() + ": " + e.getMessage(), e);
        }
        process.awaitBanner(Duration.ofSeconds(60));
        return new RunningReflector(
                spec.name(),
                process.endpointId(),
                REFLECTOR_IP,
                spec.port(),
                spec.dataPortStart(),
                spec.dataPortEnd(),
                dir,
                process);
    }

    /** A pairing code configured on a reflector started by this lab, not handed out before. */
    public String takePairingCode() {
        synchronized (pairingCodes) {
            if (pairingCodes.isEmpty()) throw new IllegalStateException("no pairing codes left; configure more");
            return pairingCodes.pop();
        }
    }

    /** Creates an identity key file under this run's directory and returns it. */
    public Path newIdentity(String name) {
        Path file = workDir.resolve("identities").resolve(name + ".ed25519");
        try {
            Files.createDirectories(file.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Ed25519Identity.generate().save(file);
        return file;
    }

    /** Starts a child JVM in {@code ns}; the lab stops it at close if it still runs. */
    public NetnsJava java(String ns, String name, Class<?> main, String... args) {
        return javaWith(ns, name, main, List.of("-Xmx256m", "-XX:TieredStopAtLevel=1"), args);
    }

    /** Like {@link #java} with the given JVM options (e.g. full JIT for a CPU-heavy child). */
    public NetnsJava javaWith(String ns, String name, Class<?> main, List<String> jvmOptions, String... args) {
        return topology.own(NetnsJava.start(ns, name, main, workDir, jvmOptions, args));
    }

    @Override
    public void close() {
        topology.close();
    }
}
