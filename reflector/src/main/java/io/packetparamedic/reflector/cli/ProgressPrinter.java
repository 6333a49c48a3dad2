package io.packetparamedic.reflector.cli;

import io.packetparamedic.reflector.client.ClientRun;
import io.packetparamedic.reflector.client.UdpEchoProbe;
import io.packetparamedic.reflector.wire.Payload;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * Live progress of a client run on stderr, like iperf3's: on a terminal one line rewritten in
 * place; otherwise (a pipe, a log, a test) one line per interval.
 */
final class ProgressPrinter implements ClientRun.Progress {

    private final PrintWriter err;
    private final boolean terminal;
    private String direction = "";
    private int durationSec;
    private boolean lineOpen;

    ProgressPrinter(PrintWriter err, boolean terminal) {
        this.err = err;
        this.terminal = terminal;
    }

    @Override
    public void waiting(String why, long secondsLeft) {
        show(String.format(Locale.ROOT, "waiting %3d s: %s", secondsLeft, why));
        if (secondsLeft == 1) end();
    }

    @Override
    public void granted(String name, Payload.SessionGrant grant, int duration, int streams) {
        end();
        direction = name;
        durationSec = duration;
        err.println(String.format(
                Locale.ROOT,
                "%s: session %s on port %d, %d s, %d stream%s",
                name,
                grant.testId(),
                grant.port(),
                duration,
                streams,
                streams == 1 ? "" : "s"));
        err.flush();
    }

    @Override
    public void second(int elapsedSec, double mbitPerSecond) {
        String rate = Double.isNaN(mbitPerSecond) ? "" : String.format(Locale.ROOT, " %10.2f Mbit/s", mbitPerSecond);
        show(String.format(Locale.ROOT, "%-8s %3d-%-3d s%s", direction, elapsedSec - 1, elapsedSec, rate));
        if (elapsedSec >= durationSec) end();
    }

    @Override
    public void granted(Payload.SessionGrant grant, UdpEchoProbe.Settings settings) {
        end();
        String rate = grant.packetRate() == null
                ? ""
                : String.format(Locale.ROOT, "; the reflector answers up to %d/s", grant.packetRate());
        err.println(String.format(
                Locale.ROOT,
                "udp_echo: session %s on port %d, %d probes at %.0f/s%s",
                grant.testId(),
                grant.port(),
                settings.count(),
                settings.probesPerSecond(),
                rate));
        if (grant.packetRate() != null && settings.probesPerSecond() > grant.packetRate()) {
            err.println(String.format(
                    Locale.ROOT,
                    "udp_echo: note: %.0f probes/s is above the reflector's %d/s: probes it drops"
                            + " are counted as policed, not as loss",
                    settings.probesPerSecond(),
                    grant.packetRate()));
        }
        err.flush();
    }

    @Override
    public void live(UdpEchoProbe.Live s) {
        show(String.format(
                Locale.ROOT,
                "udp_echo %5.1f s: sent %d received %d late %d policed %d missing %d, RTT p50 %s max %s ms",
                s.elapsedSec(),
                s.sent(),
                s.received(),
                s.late(),
                s.policed(),
                s.missing(),
                ms(s.rttP50Ms()),
                ms(s.rttMaxMs())));
    }

    /** Ends the progress line (on a terminal), so what follows starts on its own line. */
    void end() {
        if (lineOpen) {
            err.println();
            err.flush();
            lineOpen = false;
        }
    }

    private void show(String line) {
        if (terminal) {
            err.print("\r" + line + "\u001b[K");
            lineOpen = true;
        } else {
            err.println(line);
        }
        err.flush();
    }

    private static String ms(double v) {
        return Double.isFinite(v) && v > 0 ? String.format(Locale.ROOT, "%.3f", v) : "-";
    }
}
