package io.packetparamedic.reflector.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.ConnectException;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ApiOutageTest {

    private static final Instant T0 = Instant.parse("2026-11-30T12:00:00Z");

    @Test
    void onlyFailuresWithoutAnAnswerOrFromAServerNotReadyAreAnOutage() {
        assertThat(ApiOutage.unreachable(
                        new KubernetesClientException("refused", new ConnectException("Connection refused"))))
                .isTrue();
        assertThat(ApiOutage.unreachable(new KubernetesClientException("starting", 503, null)))
                .isTrue();
        assertThat(ApiOutage.unreachable(new KubernetesClientException("forbidden", 403, null)))
                .isFalse();
        assertThat(ApiOutage.unreachable(new KubernetesClientException("invalid", 422, null)))
                .isFalse();
    }

    @Test
    void probesBackOffToTheBoundAndOneSuccessEndsTheOutage() {
        ApiOutage outage = new ApiOutage();
        assertThat(outage.waiting(T0)).isFalse();

        outage.failed(T0, "refused");
        assertThat(outage.waiting(T0.plusMillis(200))).isTrue();
        assertThat(outage.waiting(T0.plusMillis(250))).isFalse();

        Instant t = T0;
        for (int i = 0; i < 20; i++) outage.failed(t = t.plusSeconds(1), "refused");
        assertThat(outage.waiting(t.plus(ApiOutage.MAX_PROBE_INTERVAL).minusMillis(1)))
                .isTrue();
        assertThat(outage.waiting(t.plus(ApiOutage.MAX_PROBE_INTERVAL))).isFalse();

        assertThat(outage.succeeded(t.plusSeconds(5)))
                .as("the success that ends the outage")
                .isTrue();
        assertThat(outage.succeeded(t.plusSeconds(5))).isFalse();
        assertThat(outage.waiting(t.plusSeconds(5))).isFalse();
        outage.failed(t.plusSeconds(6), "refused");
        assertThat(outage.waiting(t.plusSeconds(6).plusMillis(249)))
                .as("a new outage starts at the first interval")
                .isTrue();
        assertThat(outage.waiting(t.plusSeconds(6).plusMillis(250))).isFalse();
    }
}
