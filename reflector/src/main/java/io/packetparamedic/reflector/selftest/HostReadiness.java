package io.packetparamedic.reflector.selftest;

import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.reflector.client.ThroughputRunner;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * {@code reflector self-test}: can this host serve appliances well? Each check gives PASS, WARN or
 * FAIL with the measured value; the host is ready when nothing FAILs.
 */
public final class HostReadiness {

    public enum Level {
        PASS,
        WARN,
        FAIL
    }

    public record Row(String check, Level level, String value, String detail) {}

    public record Report(List<Row> rows, boolean ready) {
        public String verdict() {
            return ready ? "READY" : "NOT READY";
        }
    }

    private final String iperf3Path;
    private final int loopbackSeconds;

    public HostReadiness(String iperf3Path, int loopbackSeconds) {
        this.iperf3Path = iperf3Path;
        this.loopbackSeconds = loopbackSeconds;
    }

    public Report run() throws InterruptedException {
        List<Row> rows = new ArrayList<>();
        rows.add(cores());
        rows.add(memory());
        Optional<String> version = iperf3Version();
        rows.add(version.map(v -> new Row("iperf3", Level.PASS, v, ""))
                .orElse(new Row("iperf3", Level.FAIL, "missing", "'" + iperf3Path + "' did not run; install iperf3")));
        rows.add(
                version.isPresent()
                        ? loopbackThroughput()
                        : new Row("iperf3 loopback", Level.FAIL, "not run", "iperf3 is missing"));
        rows.add(signatures());
        rows.add(openFiles());
        boolean synced = HostFacts.clockSynchronized();
        rows.add(new Row(
                "clock sync",
                synced ? Level.PASS : Level.WARN,
                synced ? "synchronized" : "not confirmed",
                synced ? "" : "neither timedatectl nor chronyc reports a synchronized clock"));
        return new Report(rows, rows.stream().noneMatch(r -> r.level() == Level.FAIL));
    }

    static Row cores() {
        int n = Runtime.getRuntime().availableProcessors();
        return new Row(
                "cpu cores",
                n >= 2 ? Level.PASS : Level.WARN,
                Integer.toString(n),
                n >= 2 ? "" : "one core: the control plane and a test share it");
    }

    static Row memory() {
        Optional<long[]> m = HostFacts.memoryTotalAndAvailableMb();
        if (m.isEmpty()) return new Row("memory", Level.WARN, "unknown", "/proc/meminfo is unreadable");
        long available = m.get()[1];
        Level level = available >= 256 ? Level.PASS : available >= 128 ? Level.WARN : Level.FAIL;
        return new Row(
                "memory",
                level,
                available + " MiB available of " + m.get()[0] + " MiB",
                level == Level.PASS ? "" : "the reflector wants about 128 MiB, iperf3 some more");
    }

    Optional<String> iperf3Version() {
        return HostFacts.run(List.of(iperf3Path, "--version"))
                .flatMap(out -> out.lines().findFirst())
                .map(String::trim);
    }

    Row loopbackThroughput() throws InterruptedException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        } catch (IOException e) {
            return new Row("iperf3 loopback", Level.FAIL, "no port", e.getMessage());
        }
        Process server;
        try {
            server = new ProcessBuilder(iperf3Path, "-s", "-1", "-p", Integer.toString(port), "-B", "127.0.0.1")
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            return new Row("iperf3 loopback", Level.FAIL, "not run", e.getMessage());
        }
        try {
            ThroughputRunner.Result r = null;
            // The server needs a moment to listen; a refused first attempt is retried briefly.
            for (int attempt = 0; attempt < 20; attempt++) {
                r = new ThroughputRunner(iperf3Path).run("127.0.0.1", port, loopbackSeconds, 1, false, null);
                if (r.ok() || !server.isAlive()) break;
                TimeUnit.MILLISECONDS.sleep(50);
            }
            if (r == null || !r.ok()) {
                return new Row("iperf3 loopback", Level.FAIL, "failed", r == null ? "" : String.valueOf(r.error()));
            }
            double gbit = r.bitsPerSecond() / 1e9;
            Level level = gbit >= 1 ? Level.PASS : Level.WARN;
            return new Row(
                    "iperf3 loopback",
                    level,
                    String.format(Locale.ROOT, "%.2f Gbit/s over %d s", gbit, loopbackSeconds),
                    level == Level.PASS ? "" : "below 1 Gbit/s: the host limits what tests can show");
        } catch (IOException e) {
            return new Row("iperf3 loopback", Level.FAIL, "failed", e.getMessage());
        } finally {
            server.destroy();
            server.onExit().join();
        }
    }

    static Row signatures() {
        Ed25519Identity identity = Ed25519Identity.generate();
        byte[] publicKey = identity.endpointId().publicKey();
        byte[] message = new byte[64];
        // A short warm-up first, so the figure is the steady state a long-running server sees.
        long warm = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
        while (System.nanoTime() < warm) Ed25519Identity.verify(publicKey, message, identity.sign(message));
        long count = 0;
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(1);
        while (System.nanoTime() < end) {
            message[0] = (byte) count;
            if (!Ed25519Identity.verify(publicKey, message, identity.sign(message))) {
                return new Row("ed25519 sign+verify", Level.FAIL, "verify failed", "the JDK's Ed25519 is broken");
            }
            count++;
        }
        double perSec = count / ((System.nanoTime() - start) / 1e9);
        Level level = perSec >= 200 ? Level.PASS : Level.WARN;
        return new Row(
                "ed25519 sign+verify",
                level,
                String.format(Locale.ROOT, "%.0f/s", perSec),
                level == Level.PASS ? "" : "slow: TLS handshakes will be slow too");
    }

    static Row openFiles() {
        OptionalLong limit = HostFacts.openFilesLimit();
        if (limit.isEmpty())
            return new Row("open files limit", Level.WARN, "unknown", "/proc/self/limits is unreadable");
        long n = limit.getAsLong();
        Level level = n >= 4096 ? Level.PASS : n >= 1024 ? Level.WARN : Level.FAIL;
        return new Row(
                "open files limit",
                level,
                n == Long.MAX_VALUE ? "unlimited" : Long.toString(n),
                level == Level.PASS ? "" : "raise it (ulimit -n / LimitNOFILE) to at least 4096");
    }
}
