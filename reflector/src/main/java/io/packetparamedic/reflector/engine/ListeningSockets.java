package io.packetparamedic.reflector.engine;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Tells whether a process has a TCP socket listening on a port, from Linux's {@code /proc}: the
 * socket inodes among the process's file descriptors, matched against the LISTEN entries of its
 * network namespace's {@code net/tcp} and {@code net/tcp6}.
 *
 * <p>This is how the throughput engine knows iperf3 is ready without touching the port: a test
 * connection would use up {@code --one-off}'s single client, and iperf3 prints nothing before a
 * client arrives when {@code -J} is on.
 */
final class ListeningSockets {

    private static final String LISTEN = "0A";

    private ListeningSockets() {}

    static boolean isListening(long pid, int port) {
        Set<String> inodes = socketInodes(pid);
        if (inodes.isEmpty()) return false;
        String portHex = String.format(Locale.ROOT, "%04X", port);
        for (String table : List.of("tcp", "tcp6")) {
            Path file = Path.of("/proc", Long.toString(pid), "net", table);
            List<String> lines;
            try {
                lines = Files.readAllLines(file);
            } catch (IOException e) {
                continue;
            }
            for (int i = 1; i < lines.size(); i++) {
                String[] f = lines.get(i).trim().split("\\s+");
                if (f.length < 10) continue;
                String local = f[1];
                int colon = local.lastIndexOf(':');
                if (colon < 0 || !local.substring(colon + 1).equalsIgnoreCase(portHex)) continue;
                if (LISTEN.equals(f[3]) && inodes.contains(f[9])) return true;
            }
        }
        return false;
    }

    private static Set<String> socketInodes(long pid) {
        Set<String> inodes = new HashSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : fds) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[") && target.endsWith("]")) {
                        inodes.add(target.substring(8, target.length() - 1));
                    }
                } catch (IOException ignored) {
                    // the descriptor was closed while we looked
                }
            }
        } catch (IOException e) {
            return Set.of();
        }
        return inodes;
    }
}
