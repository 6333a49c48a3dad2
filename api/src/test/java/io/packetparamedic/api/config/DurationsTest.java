package io.packetparamedic.api.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {

    @Test
    void singleAndCompoundGoStyleForms() {
        assertThat(Durations.parse("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(Durations.parse("10m")).isEqualTo(Duration.ofMinutes(10));
        assertThat(Durations.parse("2h")).isEqualTo(Duration.ofHours(2));
        assertThat(Durations.parse("1d")).isEqualTo(Duration.ofDays(1));
        assertThat(Durations.parse("90s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(Durations.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(Durations.parse("1m30s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(Durations.parse(" 2d12h5m7s ")).isEqualTo(Duration.ofSeconds(2 * 86400 + 12 * 3600 + 5 * 60 + 7));
        assertThat(Durations.parse("0s")).isZero();
    }

    @Test
    void formatIsTheCanonicalCompoundFormAndReadsBack() {
        assertThat(Durations.format(Duration.ofSeconds(5400))).isEqualTo("1h30m");
        assertThat(Durations.format(Duration.ofSeconds(600))).isEqualTo("10m");
        assertThat(Durations.format(Duration.ofSeconds(90))).isEqualTo("1m30s");
        assertThat(Durations.format(Duration.ofDays(7))).isEqualTo("7d");
        assertThat(Durations.format(Duration.ofSeconds(90061))).isEqualTo("1d1h1m1s");
        assertThat(Durations.format(Duration.ZERO)).isEqualTo("0s");
        for (long s : new long[] {1, 59, 60, 61, 3599, 3600, 3661, 86399, 86400, 604800, 1_000_000}) {
            assertThat(Durations.parse(Durations.format(Duration.ofSeconds(s))).getSeconds())
                    .isEqualTo(s);
        }
    }

    @Test
    void badFormsSayWhatIsWrong() {
        assertThatThrownBy(() -> Durations.parse("10 minutes"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "invalid duration \"10 minutes\": cannot read \"10 minutes\"; expected whole numbers with units "
                                + "d, h, m or s, largest first (e.g. 90s, 10m, 1h30m, 2d)");
        assertThatThrownBy(() -> Durations.parse("90")).hasMessageContaining("\"90\" has no unit");
        assertThatThrownBy(() -> Durations.parse("1h90")).hasMessageContaining("\"90\" has no unit");
        assertThatThrownBy(() -> Durations.parse("30m1h")).hasMessageContaining("largest to smallest");
        assertThatThrownBy(() -> Durations.parse("1m1m")).hasMessageContaining("largest to smallest");
        assertThatThrownBy(() -> Durations.parse("1.5h")).hasMessageContaining("use whole numbers");
        assertThatThrownBy(() -> Durations.parse("500ms")).hasMessageContaining("below a second");
        assertThatThrownBy(() -> Durations.parse("")).hasMessageContaining("it is empty");
        assertThatThrownBy(() -> Durations.parse(null)).hasMessageContaining("it is empty");
        assertThatThrownBy(() -> Durations.parse("-5s")).hasMessageContaining("cannot read \"-5s\"");
        assertThatThrownBy(() -> Durations.parse("12345678901s")).hasMessageContaining("too large");
    }
}
