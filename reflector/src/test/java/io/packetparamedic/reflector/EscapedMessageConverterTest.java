package io.packetparamedic.reflector;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EscapedMessageConverterTest {

    @Test
    void controlCharactersAndLineSeparatorsAreEscapedAndEverythingElseIsKept() {
        assertThat(EscapedMessageConverter.escape("event=x peer=PP-1 reason=\"ok é ü ✓\""))
                .isEqualTo("event=x peer=PP-1 reason=\"ok é ü ✓\"");
        assertThat(EscapedMessageConverter.escape("a\nb\rc\td\u0000e\u001bf\u007fg\u0085h\u2028i\u2029j"))
                .isEqualTo("a\\nb\\rc\\td\\u0000e\\u001Bf\\u007Fg\\u0085h\\u2028i\\u2029j");
        assertThat(EscapedMessageConverter.escape(null)).isEqualTo("null");
    }
}
