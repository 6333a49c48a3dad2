package io.packetparamedic.reflector.client;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Memory figures a soak watches for growth: this client's resident set ({@code VmRSS} of
 * {@code /proc/self/status}, Linux) and, given the reflector's health address, the reflector's
 * JVM memory in use (the sum of {@code jvm_memory_used_bytes} on its {@code /metrics}: the
 * reflector does not publish its resident set) with its process start time, so a restart of the
 * reflector is seen and its memory compared within one process's life only.
 */
final class MemorySampler {

    private final URI metrics;
    private final HttpClient http;

    /** {@code healthBase} like {@code http://127.0.0.1:7301}; null for the client only. */
    MemorySampler(URI healthBase) {
        this.metrics = healthBase == null ? null : healthBase.resolve("/metrics");
        this.http = healthBase == null
                ? null
                : HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    /**
     * The client's RSS after a full collection: with the launcher's heap settings (free ratios)
     * the collector gives unused heap back, so what remains is what the client really holds.
     * Once per soak cycle, so its cost does not matter.
     */
    OptionalLong clientRssBytes() {
        System.gc();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return OptionalLong.of(Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: no figure
        }
        return OptionalLong.empty();
    }

    /** The reflector's JVM memory in use and its process start time, from one scrape of {@code /metrics}. */
    record ReflectorSample(long jvmMemoryUsedBytes, double startTimeSeconds) {}

    Optional<ReflectorSample> reflector() {
        if (metrics == null) return Optional.empty();
        try {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(metrics)
                            .timeout(Duration.ofSeconds(5))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) return Optional.empty();
            double used = 0;
            double started = Double.NaN;
            boolean any = false;
            for (String line : r.body().split("\n")) {
                if (line.startsWith("jvm_memory_used_bytes{")) {
                    used += value(line);
                    any = true;
                } else if (line.startsWith("process_start_time_seconds")) {
                    started = value(line);
                }
            }
            return any ? Optional.of(new ReflectorSample((long) used, started)) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private static double value(String line) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }
}
