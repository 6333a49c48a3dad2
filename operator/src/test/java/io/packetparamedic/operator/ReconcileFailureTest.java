package io.packetparamedic.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.AggregatedOperatorException;
import io.javaoperatorsdk.operator.OperatorException;
import io.packetparamedic.api.config.ConfigException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReconcileFailureTest {

    @Test
    void apiErrorsAreClassifiedByTheirCodeThroughJosdksWrappers() {
        assertThat(ReconcileFailure.of(wrapped(api(422, "Secret \"x\" is invalid: metadata.labels: too long"))))
                .isEqualTo(new ReconcileFailure(
                        ReconcileFailure.INVALID_SPEC, "Secret \"x\" is invalid: metadata.labels: too long"));
        assertThat(ReconcileFailure.of(wrapped(api(403, "denied"))).reason()).isEqualTo(ReconcileFailure.FORBIDDEN);
        assertThat(ReconcileFailure.of(wrapped(api(404, "secrets \"k\" not found")))
                        .reason())
                .isEqualTo(ReconcileFailure.NOT_FOUND);
        assertThat(ReconcileFailure.of(api(409, "the object has been modified")).reason())
                .isEqualTo(ReconcileFailure.CONFLICT);
        assertThat(ReconcileFailure.of(api(503, "unavailable")).reason()).isEqualTo(ReconcileFailure.API_ERROR);
    }

    @Test
    void configErrorsAreInvalidSpecAndAnythingElseIsAReconcileErrorWithOneBoundedLine() {
        assertThat(ReconcileFailure.of(
                        new OperatorException(new ConfigException("x: invalid value for iperf3.default_streams"))))
                .extracting(ReconcileFailure::reason)
                .isEqualTo(ReconcileFailure.INVALID_SPEC);
        ReconcileFailure unexpected =
                ReconcileFailure.of(new IllegalStateException("first line\n\tat some.Frame(Frame.java:1)"));
        assertThat(unexpected)
                .isEqualTo(new ReconcileFailure(ReconcileFailure.RECONCILE_ERROR, "IllegalStateException: first line"));
        String longText = "y".repeat(1000);
        assertThat(ReconcileFailure.of(new RuntimeException(longText)).message())
                .hasSize(ReconcileFailure.MAX_MESSAGE);
        assertThat(ReconcileFailure.of(new RuntimeException((String) null)).message())
                .isEqualTo("RuntimeException: null");
    }

    private static KubernetesClientException api(int code, String message) {
        return new KubernetesClientException(
                "Failure executing: POST at: https://127.0.0.1/api. Message: " + message,
                code,
                new StatusBuilder().withCode(code).withMessage(message).build());
    }

    private static Exception wrapped(Exception e) {
        return new AggregatedOperatorException("Exception(s) during workflow execution.", Map.of("identity-secret", e));
    }
}
