package io.packetparamedic.reflector.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LogThrottleTest {

    @Test
    void letsOneThroughPerIntervalAndCountsTheRest() {
        AtomicLong now = new AtomicLong(Long.MAX_VALUE - 5); // the arithmetic must survive nanoTime wrapping
        LogThrottle throttle = new LogThrottle(10, now::get);
        assertThat(throttle.admit()).isZero();
        assertThat(throttle.admit()).isEqualTo(-1);
        assertThat(throttle.admit()).isEqualTo(-1);
        now.addAndGet(9);
        assertThat(throttle.admit()).isEqualTo(-1);
        now.addAndGet(1);
        assertThat(throttle.admit()).isEqualTo(3);
        now.addAndGet(100);
        assertThat(throttle.admit()).isZero();
    }
}
