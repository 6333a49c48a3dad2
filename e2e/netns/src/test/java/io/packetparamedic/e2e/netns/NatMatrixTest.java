package io.packetparamedic.e2e.netns;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.e2e.harness.Exec;
import io.packetparamedic.e2e.netns.NatLab.Appliance;
import io.packetparamedic.e2e.netns.NatLab.Nat;
import io.packetparamedic.e2e.netns.NatLab.ReflectorSpec;
import io.packetparamedic.e2e.netns.NatLab.RunningReflector;
import io.packetparamedic.e2e.netns.child.ApplianceRun;
import io.packetparamedic.e2e.netns.child.HandshakeStorm;
import io.packetparamedic.e2e.netns.child.UdpMapping;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Appliances behind no NAT, CGNAT, double NAT and symmetric NAT, each plain and with an impaired
 * uplink, against the real reflector in its own namespace: the NAT behaviour itself, the matrix
 * (pair, throughput up and down, UDP echo, status), the impairment as the client measures it, the
 * UDP echo source check through NAT, an encrypted-control-plane capture, and a handshake storm.
 * Results go to target/test_summary.json and target/metrics.csv (and a per-run copy).
 */
@Order(1)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NatMatrixTest {

    @RegisterExtension
    static final NatLabExtension LAB = new NatLabExtension();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PRIMARY_PORT = 4000;
    private static final int LENIENT_PORT = 4001;
    private static final int STORM_SIZE = 50;
    private static final int THROUGHPUT_SEC = 2;
    private static final int PLAIN_PROBES = 500;
    /** Enough for the loss estimate: at 1 % the standard error over 2000 probes is 0.22 points. */
    private static final int IMPAIRED_PROBES = 2000;

    private static final int PROBE_INTERVAL_US = 2500;

    private static RunningReflector primary;
    private static RunningReflector lenient;
    private static Path stormDir;
    private static Path sentinelKey;
    private static Path splitKey;
    private static final Set<String> stormAuthorized = new HashSet<>();
    private static final Map<String, MatrixReport.Cell> cells = new java.util.LinkedHashMap<>();
    private static final List<MatrixReport.Check> checks = new ArrayList<>();

    @BeforeAll
    static void startReflectors() throws Exception {
        NatLab lab = LAB.lab();
        stormDir = lab.workDir().resolve("storm");
        Files.createDirectories(stormDir);
        List<String> lenientPeers = new ArrayList<>();
        for (int i = 0; i < STORM_SIZE; i++) {
            Path key = stormDir.resolve(String.format("appliance-%02d.ed25519", i));
            Ed25519Identity id = Ed25519Identity.generate();
            id.save(key);
            // Every other appliance is on the allowlist; the rest must be refused by policy.
            if (i % 2 == 0) {
                stormAuthorized.add(id.endpointId().toString());
                lenientPeers.add(id.endpointId().toString());
            }
        }
        sentinelKey = lab.newIdentity("sentinel");
        lenientPeers.add(Ed25519Identity.load(sentinelKey).endpointId().toString());
        splitKey = lab.newIdentity("split");
        lenientPeers.add(Ed25519Identity.load(splitKey).endpointId().toString());

        primary = lab.startReflector(new ReflectorSpec("primary", PRIMARY_PORT, 7301, 5201, 5220, true, 16, List.of()));
        lenient = lab.startReflector(
                new ReflectorSpec("lenient", LENIENT_PORT, 7302, 5301, 5320, false, 0, lenientPeers));
    }

    @AfterAll
    static void writeSummary() throws Exception {
        NatLab lab = LAB.lab();
        MatrixReport report = new MatrixReport(
                lab.topology().prefix(),
                Instant.now(),
                lab.impairmentMode().name(),
                NatLab.UPLINK,
                new ArrayList<>(cells.values()),
                checks);
        Path runDir = report.write(NatLabExtension.buildDir());
        System.out.println(report.table());
        System.out.println("netns e2e summary: " + runDir.resolve("test_summary.json"));
    }

    // ---- the topology itself ---------------------------------------------------------------------

    @Test
    @Order(1)
    void forwardingIsOnInRoutersOnlyAndPrivateSpaceIsNotRoutedPublicly() {
        NatLab lab = LAB.lab();
        Topology t = lab.topology();
        for (String router : lab.routers().values())
            assertThat(t.sysctlValue(router, "net.ipv4.ip_forward")).isEqualTo("1");
        for (Appliance a : lab.allAppliances())
            assertThat(t.sysctlValue(a.namespace(), "net.ipv4.ip_forward")).isEqualTo("0");
        assertThat(t.sysctlValue(lab.reflectorNamespace(), "net.ipv4.ip_forward"))
                .isEqualTo("0");
        // The "internet" knows the public segments only: CGNAT and home addresses are not reachable from it.
        for (String hidden : List.of("100.64.1.10", "192.168.1.10", "192.168.2.10")) {
            Exec.Result r = Commands.attempt("ip", "-n", lab.internetNamespace(), "route", "get", hidden);
            assertThat(r.ok()).as("route to %s from the internet", hidden).isFalse();
        }
        checks.add(new MatrixReport.Check("forwarding in routers only; private space not routed", true, ""));
    }

    @Test
    @Order(2)
    void theReflectorSeesEachNatsPublicAddressAndSymmetricNatMapsPerDestination() throws Exception {
        NatLab lab = LAB.lab();
        List<Appliance> senders = List.of(
                lab.appliance(Nat.NONE, false),
                lab.appliance(Nat.CGNAT, false),
                lab.appliance(Nat.DOUBLE_NAT, false),
                lab.appliance(Nat.SYMMETRIC, false),
                lab.splitAppliance());
        // Appliance i sends from one local port to two destinations: ports 7000+2i and 7001+2i.
        List<String> listenArgs = new ArrayList<>(List.of("listen", NatLab.REFLECTOR_IP));
        for (int i = 0; i < 2 * senders.size(); i++) listenArgs.add(Integer.toString(7000 + i));
        NetnsJava listener = lab.java(
                lab.reflectorNamespace(), "mapping-listener", UdpMapping.class, listenArgs.toArray(String[]::new));
        listener.awaitLine("READY"::equals, Duration.ofSeconds(30));
        int localPort = 40000;
        Map<String, String[]> seen = new HashMap<>();
        for (int i = 0; i < senders.size(); i++) {
            Appliance a = senders.get(i);
            String first = Integer.toString(7000 + 2 * i);
            String second = Integer.toString(7001 + 2 * i);
            NetnsJava sender = lab.java(
                    a.namespace(),
                    "mapping-" + a.role(),
                    UdpMapping.class,
                    "send",
                    Integer.toString(localPort),
                    NatLab.REFLECTOR_IP + ":" + first,
                    NatLab.REFLECTOR_IP + ":" + second);
            assertThat(sender.awaitExit(Duration.ofSeconds(30))).isZero();
            String to1 = listener.awaitLine(l -> l.startsWith("FROM " + first + " "), Duration.ofSeconds(10))
                    .split(" ")[2];
            String to2 = listener.awaitLine(l -> l.startsWith("FROM " + second + " "), Duration.ofSeconds(10))
                    .split(" ")[2];
            seen.put(a.role(), new String[] {to1, to2});
        }
        listener.close();

        assertThat(seen.get("direct"))
                .containsExactly(NatLab.DIRECT_IP + ":" + localPort, NatLab.DIRECT_IP + ":" + localPort);
        for (String role : List.of("cgnat", "double")) {
            String[] s = seen.get(role);
            assertThat(s[0]).startsWith(NatLab.CGNAT_PUBLIC_IP + ":");
            assertThat(s[1])
                    .as("%s: one public mapping for both destinations", role)
                    .isEqualTo(s[0]);
        }
        String[] sym = seen.get("sym");
        assertThat(sym[0]).startsWith(NatLab.SYMMETRIC_PUBLIC_IP + ":");
        assertThat(sym[1]).startsWith(NatLab.SYMMETRIC_PUBLIC_IP + ":");
        assertThat(sym[1])
                .as("symmetric NAT: another public port for another destination")
                .isNotEqualTo(sym[0]);
        assertThat(seen.get("split")[0]).startsWith(NatLab.CGNAT_UDP_IP + ":");
        String detail =
                "cgnat " + String.join(",", seen.get("cgnat")) + "; double " + String.join(",", seen.get("double"))
                        + "; symmetric " + String.join(",", sym) + "; split-udp " + seen.get("split")[0];
        checks.add(new MatrixReport.Check("NAT mappings as seen by the reflector", true, detail));
    }

    // ---- the matrix ------------------------------------------------------------------------------

    static Stream<Arguments> matrix() {
        List<Arguments> all = new ArrayList<>();
        for (boolean impaired : new boolean[] {false, true})
            for (Nat n : Nat.values()) all.add(Arguments.of(n, impaired));
        return all.stream();
    }

    @ParameterizedTest(name = "{0}, impaired={1}")
    @MethodSource("matrix")
    @Order(10)
    void matrixCell(Nat nat, boolean impaired) throws Exception {
        Appliance a = LAB.lab().appliance(nat, impaired);
        int probes = impaired ? IMPAIRED_PROBES : PLAIN_PROBES;
        JsonNode r = runAppliance(
                a, primary, "cell-" + a.role(), LAB.lab().newIdentity(a.role()), true, THROUGHPUT_SEC, probes);
        MatrixReport.Cell cell = MatrixReport.Cell.from(a, r);
        cells.put(a.role(), cell);
        assertThat(r.path("error").isMissingNode())
                .as("appliance error: %s", r.path("error").asText())
                .isTrue();
        assertThat(r.path("paired").asBoolean()).isTrue();
        assertThat(r.path("up_mbit_per_s").asDouble()).isPositive();
        assertThat(r.path("down_mbit_per_s").asDouble()).isPositive();
        assertThat(r.path("udp_echo").path("received").asInt()).isPositive();
        assertThat(r.path("udp_echo").path("corrupted").asInt()).isZero();
        assertThat(r.path("status_endpoint_id").asText()).isEqualTo(primary.endpointId());
        assertThat(r.path("status_tests_today").asLong()).isGreaterThanOrEqualTo(3);
        if (!impaired)
            assertThat(r.path("udp_echo").path("loss_percent").asDouble()).isLessThan(1.0);
        assertThat(r.path("ok").asBoolean()).isTrue();
    }

    @Test
    @Order(20)
    void underImpairmentTheClientMeasuresTheConfiguredDelayAndLoss() {
        List<String> out = new ArrayList<>();
        for (Nat n : Nat.values()) {
            MatrixReport.Cell c = cells.get(LAB.lab().appliance(n, true).role());
            assertThat(c).as("impaired %s cell ran", n).isNotNull();
            out.add(String.format(
                    java.util.Locale.ROOT,
                    "%s p50 %.1f ms (mean %.1f) loss %.2f %%",
                    n.label,
                    c.rttP50Ms(),
                    c.rttAvgMs(),
                    c.lossPercent()));
            // Delay applied once per round trip (appliance uplink egress): RTT ≈ configured delay. The
            // median is the measure: on a shared 2-core machine a few probes wait for the scheduler,
            // which moves the mean (recorded in the summary) but not the median.
            assertThat(c.rttP50Ms())
                    .as("%s RTT p50", n)
                    .isCloseTo(
                            NatLab.UPLINK.delayMs(),
                            org.assertj.core.data.Offset.offset(NatLab.UPLINK.delayMs() * 0.10));
            assertThat(c.lossPercent())
                    .as("%s loss", n)
                    .isCloseTo(NatLab.UPLINK.lossPercent(), org.assertj.core.data.Offset.offset(1.0));
        }
        checks.add(new MatrixReport.Check(
                "impairment measured: RTT p50 within 10 %, loss within 1 point", true, String.join("; ", out)));
    }

    // ---- UDP echo source check through NAT -------------------------------------------------------

    @Test
    @Order(30)
    void udpLeavingThroughAnotherPublicAddressIsDroppedWithTheCheckAndEchoedWithoutIt() throws Exception {
        Appliance split = LAB.lab().splitAppliance();
        JsonNode checked = runAppliance(split, primary, "split-checked", splitKey, true, 0, 300);
        JsonNode unchecked = runAppliance(split, lenient, "split-unchecked", splitKey, false, 0, 300);
        assertThat(checked.path("udp_echo").path("sent").asInt()).isEqualTo(300);
        assertThat(checked.path("udp_echo").path("received").asInt())
                .as("echoes with the source check on")
                .isZero();
        assertThat(unchecked.path("udp_echo").path("received").asInt())
                .as("echoes with the source check off")
                .isGreaterThanOrEqualTo(297);
        checks.add(new MatrixReport.Check(
                "UDP via another public IP: dropped with udp_echo_source_check, echoed without",
                true,
                "check on: " + checked.path("udp_echo").path("received").asInt() + "/300 echoed; check off: "
                        + unchecked.path("udp_echo").path("received").asInt() + "/300"));
    }

    // ---- capture ---------------------------------------------------------------------------------

    @Test
    @Order(40)
    void theControlChannelIsOpaqueOnTheWireAndDataPortsCarryTrafficOnlyDuringSessions() throws Exception {
        NatLab lab = LAB.lab();
        Appliance a = lab.appliance(Nat.CGNAT, false);
        // Whole packets on the control port (their payload is searched for plaintext); headers only
        // elsewhere, since one second of iperf3 over veth can be gigabytes.
        Capture control = lab.topology()
                .own(Capture.start(
                        lab.reflectorNamespace(),
                        "pub0",
                        lab.workDir().resolve("capture-control.pcap"),
                        "tcp port " + PRIMARY_PORT,
                        0));
        Capture capture = lab.topology()
                .own(Capture.start(
                        lab.reflectorNamespace(),
                        "pub0",
                        lab.workDir().resolve("capture-data.pcap"),
                        "(tcp or udp) and not port " + PRIMARY_PORT,
                        128));
        JsonNode r = runAppliance(a, primary, "capture", lab.newIdentity("capture"), true, 1, 200);
        // After the session: a datagram to the echo port it used must get no answer.
        int echoPort = 0;
        for (JsonNode s : r.path("sessions"))
            if (s.path("test_type").asText().equals("udp_echo"))
                echoPort = s.path("port").asInt();
        NetnsJava late = lab.java(
                a.namespace(), "late-probe", UdpMapping.class, "send", "40002", NatLab.REFLECTOR_IP + ":" + echoPort);
        assertThat(late.awaitExit(Duration.ofSeconds(30))).isZero();
        int port = echoPort;
        assertThat(capture.awaitPacket(
                        p -> p.dstPort() == port && java.util.Arrays.equals(p.payload(), CaptureAnalysis.LATE_PROBE),
                        Duration.ofSeconds(10)))
                .as("late probe reached the public segment")
                .isTrue();
        List<Capture.Packet> packets = new ArrayList<>(control.stop());
        packets.addAll(capture.stop());

        CaptureAnalysis analysis = CaptureAnalysis.of(
                packets, PRIMARY_PORT, primary.dataPortStart(), primary.dataPortEnd(), r.path("sessions"));
        assertThat(analysis.controlPayloadBytes())
                .as("control traffic captured")
                .isGreaterThan(2000);
        assertThat(analysis.plaintextHits())
                .as("JSON field names in control traffic")
                .isEmpty();
        assertThat(analysis.sessionsWithoutTraffic())
                .as("sessions with no data traffic in the capture")
                .isEmpty();
        assertThat(analysis.outsideSessions())
                .as("data-port packets outside any session")
                .isEmpty();
        assertThat(analysis.lateProbes()).as("late probes captured").isEqualTo(3);
        checks.add(new MatrixReport.Check(
                "capture: control encrypted, data only during sessions", true, analysis.summary()));
    }

    // ---- storm -----------------------------------------------------------------------------------

    @Test
    @Order(50)
    void fiftyAppliancesBehindTheCgnatHandshakeAtOnceAndTheReflectorStaysResponsive() throws Exception {
        NatLab lab = LAB.lab();
        Appliance a = lab.appliance(Nat.CGNAT, false);
        NetnsJava storm = lab.javaWith(
                a.namespace(),
                "storm",
                HandshakeStorm.class,
                List.of("-Xmx512m"),
                lenient.server(),
                stormDir.toString(),
                sentinelKey.toString());
        int exit = storm.awaitExit(Duration.ofSeconds(180));
        String line =
                storm.lastLine("RESULT ").orElseThrow(() -> new AssertionError("no result\n" + storm.diagnostics()));
        assertThat(exit).isZero();
        Files.writeString(lab.workDir().resolve("storm.result.json"), line, StandardCharsets.UTF_8);
        JsonNode r = JSON.readTree(line);
        Set<String> served = new HashSet<>();
        List<String> failed = new ArrayList<>();
        r.path("peers").fields().forEachRemaining(e -> {
            String outcome = e.getValue().path("outcome").asText();
            if (outcome.equals("SERVED")) served.add(e.getKey());
            if (outcome.equals("FAILED"))
                failed.add(e.getKey() + ": " + e.getValue().path("detail").asText());
        });
        assertThat(failed).as("appliances neither served nor refused by policy").isEmpty();
        assertThat(served).as("served = exactly the authorized appliances").isEqualTo(stormAuthorized);
        assertThat(r.path("REFUSED").asInt()).isEqualTo(STORM_SIZE - stormAuthorized.size());
        assertThat(r.path("sentinel_during_ms").asLong())
                .as("authorized hello during the storm")
                .isPositive();
        assertThat(r.path("sentinel_after_ms").asLong())
                .as("authorized hello after the storm")
                .isPositive();
        assertThat(lenient.process().isAlive()).isTrue();
        checks.add(new MatrixReport.Check(
                "handshake storm (50 behind CGNAT)",
                true,
                "served " + served.size() + ", refused " + r.path("REFUSED").asInt() + ", storm "
                        + r.path("storm_ms").asLong()
                        + " ms, slowest " + r.path("slowest_ms").asLong() + " ms, sentinel hello during "
                        + r.path("sentinel_during_ms").asLong() + " ms / after "
                        + r.path("sentinel_after_ms").asLong() + " ms"));
    }

    // ---- helpers ---------------------------------------------------------------------------------

    private static JsonNode runAppliance(
            Appliance a,
            RunningReflector reflector,
            String name,
            Path identity,
            boolean pair,
            int throughputSec,
            int probes)
            throws Exception {
        NatLab lab = LAB.lab();
        List<String> args = new ArrayList<>(List.of(
                "server=" + reflector.server(),
                "identity=" + identity,
                "duration=" + throughputSec,
                "probes=" + probes,
                "interval_us=" + PROBE_INTERVAL_US));
        if (pair) args.add("code=" + lab.takePairingCode());
        NetnsJava run = lab.java(a.namespace(), name, ApplianceRun.class, args.toArray(String[]::new));
        run.awaitExit(Duration.ofSeconds(180));
        String line = run.lastLine("RESULT ")
                .orElseThrow(() -> new AssertionError(name + ": no result\n" + run.diagnostics()));
        JsonNode r = JSON.readTree(line);
        Files.writeString(lab.workDir().resolve(name + ".result.json"), line, StandardCharsets.UTF_8);
        if (!r.path("ok").asBoolean()) System.err.println(run.diagnostics());
        return r;
    }
}
