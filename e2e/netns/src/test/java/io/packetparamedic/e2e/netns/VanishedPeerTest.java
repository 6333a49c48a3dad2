package io.packetparamedic.e2e.netns;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.e2e.harness.Await;
import io.packetparamedic.e2e.harness.ReflectorProcess;
import io.packetparamedic.e2e.netns.child.ApplianceRun;
import io.packetparamedic.e2e.netns.child.VanishingAppliance;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Issue 20 item 5: an appliance vanishes mid-session — its link goes down, its processes are
 * killed, its namespace is deleted, so not one FIN or RST reaches the reflector. The reflector
 * frees the control connection within {@code idle_timeout_sec}, and the session, its iperf3 and
 * every data connection at the grant's expiry ({@code duration + 5 s}); it serves the next
 * appliance meanwhile.
 */
class VanishedPeerTest {

    static final int IDLE_TIMEOUT_SEC = 5;
    static final int DURATION_SEC = 10;
    static final String REFLECTOR_IP = "10.210.0.1";
    /** Scheduling on a shared 2-core machine; the bounds themselves come from the configuration. */
    static final Duration SLACK = Duration.ofSeconds(3);

    @Test
    void aVanishedApplianceFreesItsConnectionSessionAndIperf3WithinTheDocumentedBounds() throws Exception {
        Assumptions.assumeTrue(Topology.supported(), "network namespace tests need root and `ip netns`");
        Topology t = Topology.create(NatLabExtension.buildDir().resolve("netns"), NatLabExtension.sourceDir());
        try {
            String r = t.namespace("refl");
            String gone = t.namespace("gone");
            String next = t.namespace("next");
            t.link(gone, "g0", "10.210.0.2/24", r, "r0", REFLECTOR_IP + "/24", Impairment.NONE);
            t.link(next, "n0", "10.210.1.2/24", r, "r1", "10.210.1.1/24", Impairment.NONE);
            t.defaultRoute(next, "10.210.1.1");

            Path dir = t.workDir().resolve(t.prefix() + "-vanished");
            Files.createDirectories(dir);
            Path goneKey = identity(dir, "gone");
            Path nextKey = identity(dir, "next");
            Path config = dir.resolve("reflector.toml");
            Files.writeString(config, """
                    [identity]
                    private_key_path = "%1$s/reflector.ed25519"
                    [network]
                    listen_address = "%2$s:4000"
                    listen_address_health = "127.0.0.1:7301"
                    data_port_range_start = 5201
                    data_port_range_end = 5210
                    idle_timeout_sec = %3$d
                    [access]
                    authorized_peers = ["%4$s", "%5$s"]
                    [quotas]
                    # The vanished appliance's session holds one place until it expires.
                    max_concurrent_tests = 2
                    cooldown_sec = 0
                    [logging]
                    audit_log_path = "%1$s/audit.jsonl"
                    [state]
                    data_dir = "%1$s"
                    """.formatted(
                            dir,
                            REFLECTOR_IP,
                            IDLE_TIMEOUT_SEC,
                            Ed25519Identity.load(goneKey).endpointId(),
                            Ed25519Identity.load(nextKey).endpointId()));
            ReflectorProcess reflector = t.own(ReflectorProcess.serve(
                    Topology.inNamespace(r), List.of("-Xmx256m"), config, dir.resolve("reflector.log")));
            reflector.awaitBanner(Duration.ofSeconds(60));

            NetnsJava appliance = t.own(NetnsJava.start(
                    gone,
                    "vanishing",
                    VanishingAppliance.class,
                    dir,
                    List.of("-Xmx128m", "-XX:TieredStopAtLevel=1"),
                    REFLECTOR_IP + ":4000",
                    goneKey.toString(),
                    Integer.toString(DURATION_SEC)));
            String[] running = appliance
                    .awaitLine(l -> l.startsWith("RUNNING "), Duration.ofSeconds(30))
                    .split(" ");
            String testId = running[1];
            Instant expires = Instant.parse(running[2]);
            Await.until(Duration.ofSeconds(10), "iperf3 serving the session", () -> iperf3Of(reflector) > 0);
            Await.until(
                    Duration.ofSeconds(10),
                    "data flowing on the session's port",
                    () -> established(t, r, "sport >= :5201 and sport <= :5210") > 0);

            // Vanish: no packet gets out any more, then the processes and the namespace go.
            Commands.run("ip", "-n", gone, "link", "set", "g0", "down");
            Instant vanished = Instant.now();
            appliance.handle().descendants().forEach(ProcessHandle::destroyForcibly);
            appliance.handle().destroyForcibly();
            appliance.handle().onExit().get();
            t.remove(gone);

            Await.until(
                    Duration.ofSeconds(IDLE_TIMEOUT_SEC).plus(SLACK),
                    "the control connection freed",
                    () -> established(t, r, "sport = :4000") == 0);
            Duration connectionFreed = Duration.between(vanished, Instant.now());

            // Meanwhile the reflector serves the next appliance.
            NetnsJava other = t.own(NetnsJava.start(
                    next,
                    "next",
                    ApplianceRun.class,
                    dir,
                    List.of("-Xmx128m", "-XX:TieredStopAtLevel=1"),
                    "server=" + REFLECTOR_IP + ":4000",
                    "identity=" + nextKey,
                    "duration=0",
                    "probes=50",
                    "interval_us=10000"));
            assertThat(other.awaitExit(Duration.ofSeconds(60)))
                    .as(other.diagnostics())
                    .isZero();

            Duration untilExpiry = Duration.between(Instant.now(), expires).plus(SLACK);
            Await.until(
                    untilExpiry.isNegative() ? SLACK : untilExpiry,
                    "the session completed",
                    () -> auditLines(dir).anyMatch(l -> l.contains("\"session_completed\"") && l.contains(testId)));
            Await.until(SLACK, "iperf3 reaped", () -> iperf3Of(reflector) == 0);
            Await.until(
                    SLACK,
                    "no data connection left",
                    () -> established(t, r, "sport >= :5201 and sport <= :5210") == 0);
            Duration sessionFreed = Duration.between(vanished, Instant.now());
            assertThat(reflector.isAlive()).isTrue();
            System.out.printf(
                    "[netns] vanished appliance: control connection freed %d ms after it vanished (idle timeout "
                            + "%d s); session, iperf3 and data connections freed %d ms after (grant expiry %d s after the "
                            + "grant)%n",
                    connectionFreed.toMillis(), IDLE_TIMEOUT_SEC, sessionFreed.toMillis(), DURATION_SEC + 5);
        } finally {
            t.close();
        }
        assertThat(Topology.leftovers(t.prefix())).isEmpty();
    }

    private static Path identity(Path dir, String name) {
        Path file = dir.resolve(name + ".ed25519");
        Ed25519Identity.generate().save(file);
        return file;
    }

    private static Stream<String> auditLines(Path dir) {
        try {
            return Files.readString(dir.resolve("audit.jsonl")).lines();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long iperf3Of(ReflectorProcess reflector) {
        return reflector
                .handle()
                .descendants()
                .filter(p -> p.info().command().map(c -> c.endsWith("iperf3")).orElse(false))
                .count();
    }

    /** Established TCP connections in {@code ns} matching an ss filter on the reflector's ports. */
    private static long established(Topology t, String ns, String filter) {
        return t.exec(ns, "ss", "-tnH", "state", "established", "( " + filter + " )")
                .lines()
                .filter(l -> !l.isBlank())
                .count();
    }
}
