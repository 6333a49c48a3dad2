package io.packetparamedic.kubectl;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CountdownTest {

    @Test
    void withoutATerminalPrintsAWholeLineEveryMinuteAndEvery15sInTheLastMinute() {
        StringWriter text = new StringWriter();
        Countdown c = new Countdown(new PrintWriter(text), false, "Waiting");
        for (int s = 150; s >= 0; s--) c.show(Duration.ofSeconds(s));
        c.end();
        assertThat(text.toString().lines())
                .containsExactly(
                        "Waiting: 2m30s left",
                        "Waiting: 1m30s left",
                        "Waiting: 1m00s left",
                        "Waiting: 45s left",
                        "Waiting: 30s left",
                        "Waiting: 15s left",
                        "Waiting: expired, waiting for the operator to close the window");
    }

    @Test
    void onATerminalRewritesOneLineAndEndsIt() {
        StringWriter text = new StringWriter();
        Countdown c = new Countdown(new PrintWriter(text), true, "Waiting");
        c.show(Duration.ofSeconds(61));
        c.show(Duration.ofSeconds(60));
        c.end();
        assertThat(text.toString())
                .isEqualTo("\r\033[KWaiting: 1m01s left\r\033[KWaiting: 1m00s left" + System.lineSeparator());
    }
}
