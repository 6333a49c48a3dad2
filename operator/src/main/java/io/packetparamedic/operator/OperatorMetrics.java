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
        return MicrometerMetrics.newPerResourceCollectingMicrometerMetricsBuilder(registry).build();
    }
}
