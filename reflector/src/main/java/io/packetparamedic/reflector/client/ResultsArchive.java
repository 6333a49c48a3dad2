package io.packetparamedic.reflector.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.packetparamedic.reflector.wire.LinkCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * A results directory in the layout the validation seeds use, {@code ROOT/YYYY-MM-DD_HHMMSS/}:
 * <ul>
 *   <li>{@code test_summary.json}: the run (or soak) record with its pass/fail verdict;
 *   <li>{@code metrics.csv}: one row per interval of every test, appended as tests finish;
 *   <li>{@code iperf3-N-DIRECTION.json}: iperf3's own JSON output, unchanged;
 *   <li>{@code throughput.png}, {@code rtt.png}, {@code rtt-distribution.png}: see {@link ResultCharts}.
 * </ul>
 * A soak appends every cycle to the same directory.
 */
public final class ResultsArchive {

    private static final DateTimeFormatter NAME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd_HHmmss", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final ObjectMapper PRETTY = LinkCodec.MAPPER.copy().enable(SerializationFeature.INDENT_OUTPUT);
    static final String CSV_HEADER =
            "timestamp,test,direction,test_id,interval_start_sec,interval_end_sec,mbit_per_sec,"
                    + "retransmits,sent,received,late,policed,lost,rtt_p50_ms,rtt_p99_ms,rtt_max_ms";

    private final Path dir;
    private final ResultCharts charts = new ResultCharts();
    private int iperf3Files;

    private ResultsArchive(Path dir) {
        this.dir = dir;
    }

    /** Creates {@code root/<UTC time of at>/} (with a suffix if that exists already) and the CSV header. */
    public static ResultsArchive create(Path root, Instant at) throws IOException {
        Files.createDirectories(root);
        String name = NAME.format(at);
        Path dir = root.resolve(name);
        for (int n = 2; Files.exists(dir); n++) dir = root.resolve(name + "-" + n);
        Files.createDirectory(dir);
        Files.writeString(dir.resolve("metrics.csv"), CSV_HEADER + "\n", StandardCharsets.UTF_8);
        return new ResultsArchive(dir);
    }

    public Path dir() {
        return dir;
    }

    /** Adds a finished run's tests: raw iperf3 JSON, CSV rows, chart data. */
    public void add(RunReport run) throws IOException {
        StringBuilder rows = new StringBuilder();
        for (ThroughputTest.Direction d : run.directions()) {
            iperf3Files++;
            Files.write(
                    dir.resolve("iperf3-" + iperf3Files + "-" + d.direction() + ".json"),
                    d.result().rawJson());
            for (ThroughputRunner.Interval i : d.result().intervals()) {
                Instant at = RunReport.at(d.startedAt(), i.endSec());
                rows.append(csv(
                        at,
                        "throughput",
                        d.direction(),
                        d.testId(),
                        i.startSec(),
                        i.endSec(),
                        i.mbitPerSecond(),
                        i.retransmits(),
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                        ""));
                charts.throughput(d.direction(), at, i.mbitPerSecond());
            }
        }
        if (!run.directions().isEmpty()) charts.endOfRun(Instant.now());
        EchoTest.Outcome echo = run.echo();
        if (echo != null) {
            for (UdpEchoProbe.Interval i : echo.result().intervals()) {
                rows.append(csv(
                        RunReport.at(echo.startedAt(), i.endSec()),
                        "udp_echo",
                        "",
                        echo.testId(),
                        i.startSec(),
                        i.endSec(),
                        "",
                        "",
                        i.sent(),
                        i.received(),
                        i.late(),
                        i.policed(),
                        i.lost(),
                        i.rttP50Ms(),
                        i.rttP99Ms(),
                        i.rttMaxMs()));
            }
            for (UdpEchoProbe.Sample s : echo.result().samples())
                charts.rtt(RunReport.at(echo.startedAt(), s.sentAtSec()), s.rttMs());
            charts.distribution(echo.result().histogram());
        }
        Files.writeString(dir.resolve("metrics.csv"), rows, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }

    /** (Re)writes {@code test_summary.json}. */
    public void writeSummary(Object summary) throws IOException {
        Files.write(dir.resolve("test_summary.json"), PRETTY.writeValueAsBytes(summary));
    }

    /**
     * (Re)draws the charts from everything added so far.
     *
     * @throws IOException also when the host cannot draw (a JRE without AWT or without any font):
     *     the other files of the archive do not depend on the charts
     */
    public void writeCharts() throws IOException {
        try {
            charts.write(dir);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } catch (RuntimeException | LinkageError | java.awt.AWTError e) {
            throw new IOException("the charts cannot be drawn on this host: " + e, e);
        }
    }

    private static String csv(Instant at, Object... cells) {
        StringBuilder line = new StringBuilder(at.toString());
        for (Object cell : cells) {
            line.append(',');
            if (cell instanceof Double d) {
                if (Double.isFinite(d)) line.append(String.format(Locale.ROOT, "%.3f", d));
            } else {
                line.append(cell);
            }
        }
        return line.append('\n').toString();
    }
}
