package io.packetparamedic.api.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class Rfc3339Test {

    @Test
    void formatsWholeSecondsInUtcAsKubernetesDoes() {
        assertThat(Rfc3339.format(Instant.parse("2026-11-30T15:04:05.987654Z"))).isEqualTo("2026-11-30T15:04:05Z");
    }

    @Test
    void parsesAnyOffsetAndFractions() {
        assertThat(Rfc3339.parse("2026-11-30T16:04:05+01:00")).isEqualTo(Instant.parse("2026-11-30T15:04:05Z"));
        assertThat(Rfc3339.parse("2026-11-30T15:04:05.5Z")).isEqualTo(Instant.parse("2026-11-30T15:04:05.500Z"));
    }

    @Test
    void rejectsNonTimestampsWithTheText() {
        assertThatThrownBy(() -> Rfc3339.parse("yesterday"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'yesterday'");
        assertThat(Rfc3339.tryParse("yesterday")).isEmpty();
        assertThat(Rfc3339.tryParse(null)).isEmpty();
        assertThat(Rfc3339.tryParse("2026-11-30T15:04:05Z")).contains(Instant.parse("2026-11-30T15:04:05Z"));
    }
}
