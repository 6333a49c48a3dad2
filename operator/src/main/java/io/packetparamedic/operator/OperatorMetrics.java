package io.packetparamedic.operator;

import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.config.MeterFilter;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.lang.management.ManagementFactory;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The operator's meters beyond Quarkus' JVM and HTTP ones: JOSDK's reconciliation metrics,
 * {@code packetparamedic_operator_build_info}, and the process CPU time in seconds. Every meter
 * carries a description, so no {@code # HELP} line is empty.
 */
public class OperatorMetrics {

    /** Where the meters that come without a description are from, by name prefix. */
    private static final Map<String, String> ORIGINS = Map.of(
            "operator.sdk.", "Java Operator SDK",
            "netty.", "Netty",
            "http.server.", "Vert.x HTTP server",
            "worker.pool.", "Quarkus worker pool");

    /** Constant 1, labelled with what is running: version, git commit (when the build said), Java. */
    public static final String BUILD_INFO = "packetparamedic.operator.build.info";

    /**
     * JOSDK's reconciliation metrics on the Prometheus endpoint. quarkus-operator-sdk's default
     * Metrics bean is bound to the registry lazily and, in this version, is handed to the operator
     * before that happens (so it stays a no-op); producing it from the registry directly avoids the
     * ordering problem.
     */
    @Produces
    @Singleton
    Metrics operatorMetrics(MeterRegistry registry) {
        // Per controller, not per resource: one series set per custom resource would mean tens
        // of thousands of series (and megabytes of heap) for a thousand AuthorizedPeers.
        return MicrometerMetrics.withoutPerResourceMetrics(registry);
    }

    @Produces
    @Singleton
    MeterBinder buildInfo(
            @ConfigProperty(name = "quarkus.application.version", defaultValue = "unknown") String version,
            @ConfigProperty(name = "packetparamedic.operator.build-commit", defaultValue = "unknown") String commit) {
        return registry -> Gauge.builder(BUILD_INFO, () -> 1)
                .description("Always 1; the labels say which operator build and Java runtime are running")
                .tags(
                        "version",
                        version,
                        "commit",
                        commit,
                        "java_version",
                        Runtime.version().toString())
                .register(registry);
    }

    /**
     * Micrometer's processor binder counts CPU time in nanoseconds ({@code process_cpu_time_ns_total});
     * dashboards and Prometheus' own convention rate() seconds, so that one is replaced by
     * {@code process_cpu_seconds_total}.
     */
    @Produces
    @Singleton
    MeterFilter noNanosecondCpuTime() {
        return MeterFilter.denyNameStartsWith("process.cpu.time");
    }

    /**
     * JOSDK's, Netty's and some of Vert.x's meters are registered without a description, which
     * prints as an empty {@code # HELP} line; they get one made of their origin and name.
     */
    @Produces
    @Singleton
    MeterFilter describeUndescribed() {
        return new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                if (id.getDescription() != null && !id.getDescription().isBlank()) return id;
                return new Meter.Id(
                        id.getName(),
                        Tags.of(id.getTagsAsIterable()),
                        id.getBaseUnit(),
                        describe(id.getName()),
                        id.getType());
            }
        };
    }

    static String describe(String name) {
        return ORIGINS.entrySet().stream()
                .filter(o -> name.startsWith(o.getKey()))
                .findFirst()
                .map(o -> o.getValue() + ": "
                        + name.substring(o.getKey().length()).replace('.', ' '))
                .orElse(name.replace('.', ' '));
    }

    @Produces
    @Singleton
    MeterBinder cpuSeconds() {
        return registry -> {
            if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
                FunctionCounter.builder("process.cpu", os, bean -> bean.getProcessCpuTime() / 1e9)
                        .description("CPU time used by the operator's JVM")
                        .baseUnit("seconds")
                        .register(registry);
            }
        };
    }
}
