package io.packetparamedic.reflector.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The data path's duration histogram: its buckets, its percentiles and its Prometheus exposition. */
class DurationHistogramTest {

    private final DurationHistogram histogram = new DurationHistogram("reflector.test.latency", "A test latency");

    @Test
    void countsEachDurationInTheFirstBucketWhoseBoundHoldsIt() {
        histogram.record(-5); // as zero
        histogram.record(1_000); // on the 1 us bound: in that bucket
        histogram.record(1_001); // just above: in the 2 us one
        histogram.record(49_999);
        histogram.record(2_000_000_000L); // above every bound
        DurationHistogram.Snapshot s = histogram.snapshot();
        assertThat(s.count()).isEqualTo(5);
        assertThat(s.sumNanos()).isEqualTo(1_000 + 1_001 + 49_999 + 2_000_000_000L);
        assertThat(s.counts()[0]).isEqualTo(2);
        assertThat(s.counts()[1]).isEqualTo(1);
        assertThat(s.counts()[indexOf(50_000)]).isEqualTo(1);
        assertThat(s.counts()[s.counts().length - 1]).isEqualTo(1);
    }

    @Test
    void percentilesAreBucketBoundsOfWhatWasRecordedSinceAnEarlierSnapshot() {
        for (int i = 0; i < 1000; i++) histogram.record(400_000); // before: all in the 500 us bucket
        DurationHistogram.Snapshot before = histogram.snapshot();
        for (int i = 0; i < 98; i++) histogram.record(4_000);
        histogram.record(45_000);
        histogram.record(300_000_000L);
        DurationHistogram.Snapshot after = histogram.snapshot();
        assertThat(after.quantileBound(0.5, before)).isEqualTo(5_000);
        assertThat(after.quantileBound(0.99, before)).isEqualTo(50_000);
        assertThat(after.quantileBound(1.0, before)).isEqualTo(1_000_000_000L);
        assertThat(after.quantileBound(0.5, null)).isEqualTo(500_000);
        assertThat(before.quantileBound(0.5, before)).isEqualTo(-1);
    }

    @Test
    void scrapesAsAPrometheusHistogramInSeconds() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        histogram.bindTo(registry);
        histogram.bindTo(registry); // again: still one histogram (Prometheus refuses a name twice)
        histogram.record(1_500);
        histogram.record(1_800);
        histogram.record(40_000);
        String scrape = registry.scrape();
        assertThat(scrape.split("reflector_test_latency_seconds_count", -1)).hasSize(2);
        assertThat(scrape)
                .contains("# TYPE reflector_test_latency_seconds histogram")
                .contains("# HELP reflector_test_latency_seconds A test latency")
                .contains("reflector_test_latency_seconds_count 3")
                .contains("reflector_test_latency_seconds_sum 4.33E-5")
                // Cumulative, as the format wants: 0 up to 1 us, 2 up to 2 us, 3 from 40 us on.
                .containsPattern("reflector_test_latency_seconds_bucket\\{le=\"1.0E-6\"} 0\\b")
                .containsPattern("reflector_test_latency_seconds_bucket\\{le=\"2.0E-6\"} 2\\b")
                .containsPattern("reflector_test_latency_seconds_bucket\\{le=\"3.0E-5\"} 2\\b")
                .containsPattern("reflector_test_latency_seconds_bucket\\{le=\"4.0E-5\"} 3\\b")
                .containsPattern("reflector_test_latency_seconds_bucket\\{le=\"\\+Inf\"} 3\\b");
    }

    @Test
    void aNativeRecordersCountsShowWhileOpenAndStayOnceClosed() {
        histogram.record(4_000);
        DurationHistogram.Recorder recorder = histogram.newRecorder();
        java.nio.ByteBuffer words = recorder.buffer();
        int n = (int) words.getLong(0);
        assertThat(n).isEqualTo(DurationHistogram.BOUNDS_NANOS.length);
        assertThat(words.getLong(8 * (1 + indexOf(50_000)))).isEqualTo(50_000);
        // As the C side records 45 us twice: its bucket's count and the sum.
        int bucket = 1 + n + indexOf(50_000);
        words.putLong(8 * bucket, 2);
        words.putLong(8 * (2 + 2 * n), 90_000);
        assertThat(histogram.snapshot().count()).isEqualTo(3);
        assertThat(histogram.snapshot().sumNanos()).isEqualTo(94_000);
        recorder.close();
        recorder.close(); // once only
        words.putLong(8 * bucket, 7); // a write after closing is no longer seen
        DurationHistogram.Snapshot s = histogram.snapshot();
        assertThat(s.count()).isEqualTo(3);
        assertThat(s.counts()[indexOf(50_000)]).isEqualTo(2);
        assertThat(s.sumNanos()).isEqualTo(94_000);
    }

    @Test
    void anotherRegistryGetsTheCountAndTotal() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        histogram.bindTo(registry);
        histogram.record(2_000);
        histogram.record(3_000);
        var timer = registry.get("reflector.test.latency").functionTimer();
        assertThat(timer.count()).isEqualTo(2);
        assertThat(timer.totalTime(TimeUnit.NANOSECONDS)).isEqualTo(5_000);
    }

    private static int indexOf(long bound) {
        for (int i = 0; i < DurationHistogram.BOUNDS_NANOS.length; i++) {
            if (DurationHistogram.BOUNDS_NANOS[i] == bound) return i;
        }
        throw new AssertionError(bound);
    }
}
