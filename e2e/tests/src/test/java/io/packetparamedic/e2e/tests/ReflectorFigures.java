package io.packetparamedic.e2e.tests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/**
 * One sample of a running reflector, read from outside as an operator would: the kernel's view
 * of the process (/proc: RSS, threads, open file descriptors, iperf3 children), its Prometheus
 * endpoint (heap, direct buffers, open control connections) and its audit log (sessions granted
 * and not yet completed).
 */
record ReflectorFigures(long rssKb, long heapBytes, long directBytes, int threads, int fds, int iperf3Children,
        int openSessions, int connections) {

    static final String CSV_HEADER =
            "rss_kb,heap_used_bytes,direct_used_bytes,threads,fds,iperf3_children,open_sessions,connections";

    String csv() {
        return rssKb + "," + heapBytes + "," + directBytes + "," + threads + "," + fds + "," + iperf3Children + ","
                + openSessions + "," + connections;
    }

    /** Nothing in flight: no session, no iperf3, no control connection. */
    boolean idle() {
        return iperf3Children == 0 && openSessions == 0 && connections == 0;
    }

    /** Reads the figures of one reflector process. */
    static final class Probe {

        private final ProcessHandle process;
        private final URI metrics;
        private final Path auditLog;
        private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

        Probe(ProcessHandle process, int healthPort, Path auditLog) {
            this.process = process;
            this.metrics = URI.create("http://127.0.0.1:" + healthPort + "/metrics");
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
                    (int) sum(prometheus, "reflector_connections_active", ""));
        }

        /** A full collection ({@code jcmd PID GC.run}), so that heap used is what is live. */
        void fullGc() {
            Path jcmd = Repo.java().resolveSibling("jcmd");
            try {
                Process p = new ProcessBuilder(jcmd.toString(), Long.toString(process.pid()), "GC.run")
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) || p.exitValue() != 0) {
                    throw new IllegalStateException("jcmd GC.run failed for pid " + process.pid());
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
                    .filter(p -> p.info().command().map(c -> c.endsWith("iperf3")).orElse(false))
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
                }).filter(t -> t != null).sorted().toList();
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
                return lines.mapToInt(l -> l.contains("\"session_granted\"") ? 1 : l.contains("\"session_completed\"") ? -1 : 0)
                        .sum();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private String scrape() {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200) throw new IllegalStateException("GET " + metrics + ": HTTP " + r.statusCode());
                return r.body();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        /** Sum of the samples of {@code metric} whose labels contain {@code label}. */
        private static double sum(String prometheus, String metric, String label) {
            return prometheus.lines()
                    .filter(l -> l.startsWith(metric) && l.contains(label))
                    .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                    .sum();
        }

        private static long statusField(String status, String field) {
            return status.lines().filter(l -> l.startsWith(field))
                    .mapToLong(l -> Long.parseLong(l.substring(field.length()).trim().split("\\s+")[0]))
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
