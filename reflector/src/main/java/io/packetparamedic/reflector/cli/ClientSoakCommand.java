package io.packetparamedic.reflector.cli;

import io.packetparamedic.reflector.client.ClientRun;
import io.packetparamedic.reflector.client.Iperf3Binary;
import io.packetparamedic.reflector.client.ResultsArchive;
import io.packetparamedic.reflector.client.RunReport;
import io.packetparamedic.reflector.client.SoakRunner;
import io.packetparamedic.reflector.client.SoakSummary;
import io.packetparamedic.reflector.client.UdpEchoProbe;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code reflector client soak}: the standard speed test and a UDP echo every {@code --every} for
 * {@code --for}, into one results archive, through reflector restarts and network loss; see
 * {@link SoakRunner}. Exit 0 when the soak's own criteria are met (zero client crashes, memory
 * growth under 1 %); failed cycles are in the summary, not in the exit code.
 */
@Command(
        name = "soak",
        mixinStandardHelpOptions = true,
        description =
                "Run the speed test and a UDP echo on a schedule for hours, into one results archive (survives reflector restarts).")
final class ClientSoakCommand extends ClientCommand.Action {

    private static final Pattern SPAN = Pattern.compile("(\\d+)([smhd]?)");

    @Option(
            names = "--every",
            paramLabel = "SPAN",
            defaultValue = "5m",
            description = "Time between cycle starts, e.g. 20s, 5m, 1h (default: ${DEFAULT-VALUE}).")
    String every;

    @Option(
            names = "--for",
            paramLabel = "SPAN",
            defaultValue = "24h",
            description = "How long to keep starting cycles, e.g. 2m, 24h, 7d (default: ${DEFAULT-VALUE}).")
    String total;

    @Option(
            names = "--echo-count",
            defaultValue = "500",
            description = "UDP echo probes per cycle (default: ${DEFAULT-VALUE}).")
    int echoCount;

    @Option(
            names = "--echo-interval-ms",
            defaultValue = "10",
            description = "Milliseconds between UDP echo probes (default: ${DEFAULT-VALUE}).")
    int echoIntervalMs;

    @Option(
            names = "--health-url",
            paramLabel = "URL",
            description = "The reflector's health address (e.g. http://127.0.0.1:7301), to watch its memory too.")
    URI healthUrl;

    @Mixin
    SpeedTestOptions speedTest;

    @Mixin
    ClientRunOptions options;

    @Override
    public Integer call() {
        SoakRunner.Settings settings;
        ResultsArchive archive;
        try {
            Duration period = span("--every", every);
            Duration length = span("--for", total);
            if (period.compareTo(length) > 0)
                throw new IllegalArgumentException("--every (" + every + ") is longer than --for (" + total + ")");
            ClientRun.Plan plan = new ClientRun.Plan(
                    ClientThroughputCommand.reverseFlags(ClientThroughputCommand.Direction.both),
                    speedTest.duration,
                    speedTest.streams,
                    UdpEchoProbe.Settings.of(echoCount, echoIntervalMs, 64, 1000));
            if (plan.problem() != null) throw new IllegalArgumentException(plan.problem());
            if (healthUrl != null
                    && (healthUrl.getScheme() == null || !healthUrl.getScheme().startsWith("http"))) {
                throw new IllegalArgumentException("--health-url must be an http:// address, got " + healthUrl);
            }
            Iperf3Binary.locate(speedTest.iperf3);
            settings = new SoakRunner.Settings(
                    period,
                    length,
                    plan,
                    client.serverAddress().getHostString(),
                    speedTest.iperf3,
                    options.patience(),
                    options.criteria(),
                    healthUrl);
            archive = ResultsArchive.create(
                    options.results != null ? options.results : Path.of("results"), Instant.now());
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        } catch (IOException e) {
            throw new CliFailure("cannot create the results archive: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
        err().println("soak: a cycle every " + every + " for " + total + "; results in " + archive.dir());
        err().flush();
        SoakSummary summary;
        try {
            ProgressPrinter progress = new ProgressPrinter(err(), System.console() != null);
            summary = new SoakRunner(settings, () -> client.connect(err()), archive, progress, new Display(progress))
                    .run();
        } catch (IOException e) {
            throw new CliFailure("writing the results archive " + archive.dir() + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
        out().println(String.format(
                Locale.ROOT,
                "soak: %d cycles, %d passed, %d client crashes, %d reconnects, " + "client memory growth %.2f %%: %s",
                summary.cycles(),
                summary.cyclesPassed(),
                summary.crashes(),
                summary.reconnects(),
                summary.clientMemoryGrowthPct(),
                summary.passed() ? "PASS" : "FAIL"));
        out().println("results: " + archive.dir());
        out().flush();
        return summary.passed() ? 0 : 1;
    }

    /** "20s", "5m", "24h", "7d" or a bare number of seconds; also ISO-8601 ("PT5M"). */
    static Duration span(String option, String text) {
        Duration d;
        Matcher m = SPAN.matcher(text.strip());
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            d = switch (m.group(2)) {
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                default -> Duration.ofSeconds(n);
            };
        } else {
            try {
                d = Duration.parse(text.strip());
            } catch (java.time.format.DateTimeParseException e) {
                throw new IllegalArgumentException(
                        option + " must be a span like 20s, 5m, 24h or 7d, got '" + text + "'");
            }
        }
        if (d.isZero() || d.isNegative())
            throw new IllegalArgumentException(option + " must be longer than zero, got '" + text + "'");
        return d;
    }

    /** Progress lines plus one line per cycle. */
    private final class Display implements SoakRunner.Events {
        private final ProgressPrinter progress;

        Display(ProgressPrinter progress) {
            this.progress = progress;
        }

        @Override
        public void cycleStarting(int cycle, Instant at) {
            progress.end();
            err().println("cycle " + cycle + " at " + at);
            err().flush();
        }

        @Override
        public void cycleDone(int cycle, RunReport report) {
            progress.end();
            StringBuilder line = new StringBuilder("cycle " + cycle + ": " + (report.passed() ? "passed" : "FAILED"));
            report.directions()
                    .forEach(d -> line.append(String.format(
                            Locale.ROOT,
                            ", %s %.1f Mbit/s",
                            d.direction(),
                            d.result().mbitPerSecond())));
            if (report.echo() != null) {
                line.append(String.format(
                        Locale.ROOT,
                        ", RTT p99 %.3f ms, loss %.2f %%",
                        report.echo().result().rttP99Ms(),
                        report.echo().result().lossPercent()));
            }
            report.errors().forEach(e -> line.append("; ").append(e));
            err().println(line);
            err().flush();
        }

        @Override
        public void unreachable(int attempt, String why, Duration retryIn) {
            progress.end();
            err().println("reflector unreachable (attempt " + attempt + ": " + why + "); retrying in "
                    + retryIn.toSeconds() + " s");
            err().flush();
        }
    }
}
