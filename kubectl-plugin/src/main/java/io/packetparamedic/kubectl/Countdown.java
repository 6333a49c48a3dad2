package io.packetparamedic.kubectl;

import java.io.PrintWriter;
import java.time.Duration;

/**
 * The time left on a pairing window. On a terminal one line is rewritten in place every second;
 * otherwise (a pipe, a CI log) a line is printed every minute, and every 15 s in the last minute,
 * so that a log neither floods nor goes silent.
 */
final class Countdown {

    private static final String CLEAR_LINE = "\r\033[K";

    private final PrintWriter out;
    private final boolean terminal;
    private final String label;
    private long lastPrinted = Long.MAX_VALUE;
    private boolean lineOpen;

    Countdown(PrintWriter out, boolean terminal, String label) {
        this.out = out;
        this.terminal = terminal;
        this.label = label;
    }

    void show(Duration remaining) {
        long seconds = Math.max(0, remaining.getSeconds());
        String text = seconds == 0
                ? label + ": expired, waiting for the operator to close the window"
                : label + ": " + Humanize.duration(remaining) + " left";
        if (terminal) {
            out.print(CLEAR_LINE + text);
            lineOpen = true;
            out.flush();
        } else if (lastPrinted - seconds >= (seconds > 60 ? 60 : 15) || (seconds == 0 && lastPrinted != 0)) {
            out.println(text);
            out.flush();
            lastPrinted = seconds;
        }
    }

    /** Ends the rewritten line, so that what follows starts on a line of its own. */
    void end() {
        if (lineOpen) {
            out.println();
            out.flush();
            lineOpen = false;
        }
    }
}
