package io.packetparamedic.operator;

import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * JOSDK's reconciliation metrics on the Prometheus endpoint. quarkus-operator-sdk's default
 * Metrics bean is bound to the registry lazily and, in this version, is handed to the operator
 * before that happens (so it stays a no-op); producing it from the registry directly avoids the
 * ordering problem.
 */
public class OperatorMetrics {

    @Produces
    @Singleton
    Metrics operatorMetrics(MeterRegistry registry) {
        // Per controller, not per resource: one series set per custom resource would mean tens
        // of thousands of series (and megabytes of heap) for a thousand AuthorizedPeers.
        return MicrometerMetrics.withoutPerResourceMetrics(registry);
    }
}
