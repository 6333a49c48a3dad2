package io.packetparamedic.reflector.client;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalLong;

/**
 * Memory figures a soak watches for growth: this client's resident set ({@code VmRSS} of
 * {@code /proc/self/status}, Linux) and, given the reflector's health address, the reflector's
 * JVM memory in use (the sum of {@code jvm_memory_used_bytes} on its {@code /metrics}: the
 * reflector does not publish its resident set).
 */
final class MemorySampler {

    private final URI metrics;
    private final HttpClient http;

    /** {@code healthBase} like {@code http://127.0.0.1:7301}; null for the client only. */
    MemorySampler(URI healthBase) {
        this.metrics = healthBase == null ? null : healthBase.resolve("/metrics");
        this.http = healthBase == null ? null : HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    OptionalLong clientRssBytes() {
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

    OptionalLong reflectorJvmMemoryBytes() {
        if (metrics == null) return OptionalLong.empty();
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) return OptionalLong.empty();
            double sum = 0;
            boolean any = false;
            for (String line : r.body().split("\n")) {
                if (!line.startsWith("jvm_memory_used_bytes{")) continue;
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                any = true;
            }
            return any ? OptionalLong.of((long) sum) : OptionalLong.empty();
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OptionalLong.empty();
        }
    }
}
