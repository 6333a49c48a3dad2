package io.packetparamedic.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetparamedic.api.config.ConfigLoader;
import io.packetparamedic.api.config.ReflectorConfig;
import io.packetparamedic.api.crd.ReflectorInstance;
import io.packetparamedic.api.crd.ReflectorInstanceSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 20 item 6: spec.network.drainTimeoutSec reaches the pod's config, and the kubelet waits
 * that long plus a margin before SIGKILL, so a rotation never cuts a test the drain would finish.
 */
class DrainPeriodTest {

    @Test
    void theDefaultDrainIs75SecondsAndThePodGets90() {
        ReflectorInstance ri = ConfigRendererTest.instance(new ReflectorInstanceSpec());
        assertThat(renderedDrain(ri)).isEqualTo(75);
        assertThat(gracePeriod(ri)).isEqualTo(90L);
    }

    @Test
    void aLongerDrainRendersIntoTheConfigAndTheGracePeriod() {
        ReflectorInstanceSpec spec = new ReflectorInstanceSpec();
        spec.network = new ReflectorInstanceSpec.Network();
        spec.network.drainTimeoutSec = 200;
        ReflectorInstance ri = ConfigRendererTest.instance(spec);
        assertThat(renderedDrain(ri)).isEqualTo(200);
        assertThat(gracePeriod(ri)).isEqualTo(200L + ReflectorDeploymentDependent.TERMINATION_MARGIN_SEC);
    }

    private static int renderedDrain(ReflectorInstance ri) {
        String toml = ConfigRenderer.render(EffectiveSpec.of(ri), List.of(), List.of());
        ReflectorConfig c = ConfigLoader.parse(toml, "test").config();
        return c.network.drainTimeoutSec;
    }

    private static Long gracePeriod(ReflectorInstance ri) {
        return new ReflectorDeploymentDependent()
                .desired(ri, null)
                .getSpec()
                .getTemplate()
                .getSpec()
                .getTerminationGracePeriodSeconds();
    }
}
