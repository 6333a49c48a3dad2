package io.packetparamedic.e2e.tests;

import io.packetparamedic.e2e.harness.Repo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One sample of a running reflector, read from outside as an operator would: the kernel's view
 * of the process (/proc: RSS, threads, open file descriptors, iperf3 children), its Prometheus
 * endpoint (heap, direct buffers, open control connections) and its audit log (sessions granted
 * and not yet completed).
 *
 * <p>{@code oldGenBytes} is the old generation alone: right after a full collection of the serial
 * collector (which compacts every live object there; with {@code -XX:MarkSweepDeadRatio=0}, no
 * dead object left behind) it is the live set. Heap used also counts
 * the young generation, where each thread's allocation buffer (TLAB) is used as a whole as soon
 * as the thread takes it; the JVM sizes those buffers to each thread's allocation rate, so heap
 * used after a full GC drifts with the load, not with what is retained.
 */
record ReflectorFigures(
        long rssKb,
        long heapBytes,
        long directBytes,
        int threads,
        int fds,
        int iperf3Children,
        int openSessions,
        int connections,
        long oldGenBytes) {

    static final String CSV_HEADER = "rss_kb,heap_used_bytes,direct_used_bytes,threads,fds,iperf3_children,"
            + "open_sessions,connections,old_gen_used_bytes";

    String csv() {
        return rssKb + "," + heapBytes + "," + directBytes + "," + threads + "," + fds + "," + iperf3Children + ","
                + openSessions + "," + connections + "," + oldGenBytes;
    }

    /** Nothing in flight: no session, no iperf3, no control connection. */
    boolean idle() {
        return iperf3Children == 0 && openSessions == 0 && connections == 0;
    }

    /** Reads the figures of one reflector process. */
    static final class Probe {

        private final ProcessHandle process;
        private final int healthPort;
        private final Path auditLog;

        Probe(ProcessHandle process, int healthPort, Path auditLog) {
            this.process = process;
            this.healthPort = healthPort;
            this.auditLog = auditLog;
        }

        ReflectorFigures sample() {
            String status = read(Path.of("/proc", Long.toString(process.pid()), "status"));
            String prometheus = scrape();
            return new ReflectorFigures(
                    statusField(status, "VmRSS:"),
                    (long) sum(prometheus, "jvm_memory_used_bytes{", "area=\"heap\""),
                    (long) sum(prometheus, "jvm_buffer_memory_used_bytes{", "id=\"direct\""),
                    (int) statusField(status, "Threads:"),
                    openFds(),
                    iperf3Children(),
                    openSessions(),
                    (int) sum(prometheus, "reflector_connections_active", ""),
                    (long) (sum(prometheus, "jvm_memory_used_bytes{", "Tenured Gen")
                            + sum(prometheus, "jvm_memory_used_bytes{", "Old Gen")));
        }

        /**
         * The live objects by class ({@code jcmd PID GC.class_histogram}, itself after a full
         * collection): bytes per class name, to say what a grown heap holds.
         */
        Map<String, Long> classHistogram() {
            Map<String, Long> bytes = new HashMap<>();
            for (String line : jcmd("GC.class_histogram").split("\n")) {
                Matcher m = HISTOGRAM_ROW.matcher(line);
                if (m.find()) bytes.merge(m.group(2), Long.parseLong(m.group(1)), Long::sum);
            }
            return bytes;
        }

        private static final Pattern HISTOGRAM_ROW = Pattern.compile("^\\s*\\d+:\\s+\\d+\\s+(\\d+)\\s+(\\S+)");

        private String jcmd(String command) {
            Path jcmd = Repo.java().resolveSibling("jcmd");
            try {
                // Output to a file, so that a jcmd that hangs is bounded by the wait below rather
                // than by a read that would block as long as jcmd keeps its end open.
                Path output = Files.createTempFile("jcmd-", ".txt");
                try {
                    Process p = new ProcessBuilder(jcmd.toString(), Long.toString(process.pid()), command)
                            .redirectErrorStream(true)
                            .redirectOutput(output.toFile())
                            .start();
                    boolean exited = p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS);
                    if (!exited) p.destroyForcibly();
                    String out = Files.readString(output, StandardCharsets.UTF_8);
                    if (!exited || p.exitValue() != 0) {
                        throw new IllegalStateException(
                                "jcmd " + command + " failed for pid " + process.pid() + ": " + out);
                    }
                    return out;
                } finally {
                    Files.deleteIfExists(output);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        int iperf3Children() {
            return (int) process.descendants()
                    .filter(p ->
                            p.info().command().map(c -> c.endsWith("iperf3")).orElse(false))
                    .count();
        }

        /** What the open descriptors point at ("socket:[…]", "anon_inode:[eventpoll]", paths), for the leak report. */
        List<String> fdTargets() {
            try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(process.pid()), "fd"))) {
                return fds.map(fd -> {
                            try {
                                return Files.readSymbolicLink(fd).toString().replaceAll("\\[\\d+\\]", "");
                            } catch (IOException closedMeanwhile) {
                                return null;
                            }
                        })
                        .filter(t -> t != null)
                        .sorted()
                        .toList();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private int openFds() {
            try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(process.pid()), "fd"))) {
                return (int) fds.count();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Granted minus completed, from the audit log (one JSON object per line). */
        private int openSessions() {
            if (!Files.exists(auditLog)) return 0;
            try (Stream<String> lines = Files.lines(auditLog, StandardCharsets.UTF_8)) {
                return lines.mapToInt(l ->
                                l.contains("\"session_granted\"") ? 1 : l.contains("\"session_completed\"") ? -1 : 0)
                        .sum();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /**
         * GET /metrics on a connection of its own, closed by the server after the answer: a kept-alive
         * connection would be one of the descriptors counted, open or not depending on timing.
         */
        private String scrape() {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", healthPort), 2000);
                socket.setSoTimeout(5000);
                socket.getOutputStream()
                        .write(("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                                .getBytes(StandardCharsets.US_ASCII));
                String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!response.startsWith("HTTP/1.1 200")) {
                    throw new IllegalStateException(
                            "GET /metrics: " + response.lines().findFirst().orElse("no answer"));
                }
                return response.substring(response.indexOf("\r\n\r\n") + 4);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Sum of the samples of {@code metric} whose labels contain {@code label}. */
        private static double sum(String prometheus, String metric, String label) {
            return prometheus
                    .lines()
                    .filter(l -> l.startsWith(metric) && l.contains(label))
                    .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                    .sum();
        }

        private static long statusField(String status, String field) {
            return status.lines()
                    .filter(l -> l.startsWith(field))
                    .mapToLong(l ->
                            Long.parseLong(l.substring(field.length()).trim().split("\\s+")[0]))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("no " + field + " in /proc status"));
        }

        private static String read(Path file) {
            try {
                return Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("the reflector process is gone (" + file + ")", e);
            }
        }
    }
}
