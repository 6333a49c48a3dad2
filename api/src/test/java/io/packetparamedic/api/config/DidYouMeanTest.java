package io.packetparamedic.api.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class DidYouMeanTest {

    private static final List<String> QUOTAS = List.of(
            "max_test_duration_sec",
            "max_concurrent_tests",
            "max_tests_per_hour_per_peer",
            "max_bytes_per_day_per_peer",
            "cooldown_sec");

    @Test
    void levenshteinDistance() {
        assertThat(DidYouMean.distance("kitten", "sitting")).isEqualTo(3);
        assertThat(DidYouMean.distance("", "abc")).isEqualTo(3);
        assertThat(DidYouMean.distance("same", "same")).isZero();
        assertThat(DidYouMean.distance("netwrok", "network")).isEqualTo(2);
    }

    @Test
    void suggestsTyposAndCutShortNamesButNotUnrelatedOnes() {
        assertThat(DidYouMean.closest("cooldown_secs", QUOTAS)).contains("cooldown_sec");
        assertThat(DidYouMean.closest("max_concurent_tests", QUOTAS)).contains("max_concurrent_tests");
        assertThat(DidYouMean.closest("max_tests_per_hour", QUOTAS)).contains("max_tests_per_hour_per_peer");
        assertThat(DidYouMean.closest("MAX_TEST_DURATION_SEC", QUOTAS)).contains("max_test_duration_sec");
        assertThat(DidYouMean.closest("legacy_knob", QUOTAS)).isEmpty();
        assertThat(DidYouMean.closest("x", QUOTAS)).isEmpty();
    }
}
