package io.packetparamedic.reflector.selftest;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * Facts about this host, read from Linux's {@code /proc} and the JDK: load, memory, the MTU of the
 * interface that faces a given peer, clock synchronisation, the open-file limit. Shared by
 * {@code path_meta} and {@code reflector self-test}.
 */
public final class HostFacts {

    private HostFacts() {}

    /** The whole machine's CPU load over the JDK's recent sampling window, 0..1 (0 when unknown). */
    public static double cpuLoad() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            double load = os.getCpuLoad();
            return load < 0 ? 0 : load;
        }
        return 0;
    }

    /** MemTotal and MemAvailable from {@code /proc/meminfo}, in MiB; empty when unreadable. */
    public static Optional<long[]> memoryTotalAndAvailableMb() {
        try {
            long total = -1;
            long available = -1;
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) total = kib(line);
                else if (line.startsWith("MemAvailable:")) available = kib(line);
            }
            if (total < 0 || available < 0) return Optional.empty();
            return Optional.of(new long[] {total / 1024, available / 1024});
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The 1, 5 and 15 minute load averages from {@code /proc/loadavg}; empty when unreadable. */
    public static List<Double> loadAverages() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return List.of(Double.parseDouble(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2]));
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    /**
     * The MTU of the interface traffic to {@code peer} leaves through: a connected UDP socket asks
     * the kernel's routing table for the source address (no packet is sent), whose interface has
     * the MTU. Null when it cannot be told.
     */
    public static Integer mtuToward(InetAddress peer) {
        if (peer == null) return null;
        try (DatagramSocket probe = new DatagramSocket()) {
            probe.connect(new InetSocketAddress(peer, 9));
            InetAddress local = probe.getLocalAddress();
            NetworkInterface nic = local == null ? null : NetworkInterface.getByInetAddress(local);
            if (nic == null && peer.isLoopbackAddress()) nic = NetworkInterface.getByName("lo");
            return nic == null ? null : nic.getMTU();
        } catch (SocketException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Whether the system clock is synchronised: systemd's {@code timedatectl} where it runs, else
     * chrony's {@code chronyc tracking}; false when neither can tell. Each probe is bounded to 2 s.
     */
    public static boolean clockSynchronized() {
        Optional<String> timedatectl = run(List.of("timedatectl", "show", "-p", "NTPSynchronized", "--value"));
        if (timedatectl.isPresent()) {
            String v = timedatectl.get().trim();
            if (v.equals("yes")) return true;
            if (v.equals("no")) return false;
        }
        Optional<String> chrony = run(List.of("chronyc", "-n", "tracking"));
        return chrony.isPresent()
                && chrony.get().lines().anyMatch(l -> l.startsWith("Leap status") && l.contains("Normal"));
    }

    /** The soft limit on open files of this process, from {@code /proc/self/limits}. */
    public static OptionalLong openFilesLimit() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String soft =
                            line.substring("Max open files".length()).trim().split("\\s+")[0];
                    return soft.equals("unlimited")
                            ? OptionalLong.of(Long.MAX_VALUE)
                            : OptionalLong.of(Long.parseLong(soft));
                }
            }
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
        return OptionalLong.empty();
    }

    /** Runs a short command and returns its stdout when it exits 0 within 2 s. */
    static Optional<String> run(List<String> command) {
        Process p;
        try {
            p = new ProcessBuilder(new ArrayList<>(command))
                    .redirectErrorStream(true)
                    .start();
        } catch (IOException e) {
            return Optional.empty();
        }
        try {
            p.getOutputStream().close();
            if (!p.waitFor(2, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return Optional.empty();
            }
            String out = new String(p.getInputStream().readNBytes(64 * 1024), StandardCharsets.UTF_8);
            return p.exitValue() == 0 ? Optional.of(out) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            return Optional.empty();
        }
    }

    private static long kib(String line) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
    }
}
