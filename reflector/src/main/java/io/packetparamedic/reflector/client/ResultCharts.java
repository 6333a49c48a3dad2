package io.packetparamedic.reflector.client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;

/**
 * The archive's charts, drawn with XChart on a headless AWT: throughput over time per direction
 * ({@code throughput.png}), RTT of every received probe over time ({@code rtt.png}) and the RTT
 * distribution of all probes ({@code rtt-distribution.png}). Points are kept in memory, bounded:
 * a long soak keeps every other point once a series is full.
 */
final class ResultCharts {

    static {
        // No display on an appliance or in CI: draw into images only.
        System.setProperty("java.awt.headless", "true");
    }

    private static final int WIDTH = 960;
    private static final int HEIGHT = 480;
    private static final int DISTRIBUTION_BARS = 40;

    private final Map<String, BoundedSeries> throughput = new LinkedHashMap<>();
    private final BoundedSeries rtt = new BoundedSeries();
    private final Histogram rttMicros = new Histogram(3);

    void throughput(String direction, Instant at, double mbitPerSecond) {
        throughput.computeIfAbsent(direction, d -> new BoundedSeries()).add(at, mbitPerSecond);
    }

    /** Ends a run's line, so a soak's chart does not join one run to the next. */
    void endOfRun(Instant at) {
        throughput.values().forEach(series -> series.gap(at));
    }

    void rtt(Instant at, double ms) {
        rtt.add(at, ms);
    }

    void distribution(Histogram micros) {
        rttMicros.add(micros);
    }

    void write(Path dir) {
        if (!throughput.isEmpty()) {
            XYChart chart = timeChart("Throughput", "Mbit/s");
            throughput.forEach((direction, series) -> series.addTo(chart, direction));
            save(chart, dir.resolve("throughput.png"));
        }
        if (rtt.size() > 0) {
            XYChart chart = timeChart("Round-trip time of each UDP echo probe", "RTT (ms)");
            chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            chart.getStyler().setMarkerSize(3);
            rtt.addTo(chart, "RTT");
            save(chart, dir.resolve("rtt.png"));
        }
        if (rttMicros.getTotalCount() > 0) save(distributionChart(), dir.resolve("rtt-distribution.png"));
    }

    private static XYChart timeChart(String title, String yTitle) {
        XYChart chart = new XYChartBuilder()
                .width(WIDTH)
                .height(HEIGHT)
                .title(title)
                .xAxisTitle("time (UTC)")
                .yAxisTitle(yTitle)
                .build();
        chart.getStyler().setDatePattern("HH:mm:ss").setTimezone(java.util.TimeZone.getTimeZone("UTC"));
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.getStyler().setYAxisMin(0.0);
        return chart;
    }

    /**
     * Equal bars from the lowest RTT to p99, and one more for everything above p99: a few slow
     * outliers would otherwise squeeze every other probe into the first bar.
     */
    private CategoryChart distributionChart() {
        long low = rttMicros.getMinValue();
        long high = Math.max(low + 1, rttMicros.getValueAtPercentile(99));
        long width = Math.max(1, (high - low + DISTRIBUTION_BARS - 1) / DISTRIBUTION_BARS);
        List<String> labels = new ArrayList<>();
        List<Long> counts = new ArrayList<>();
        long from = low;
        for (; from < high; from += width) {
            labels.add(String.format(Locale.ROOT, "%.2f", from / 1000.0));
            counts.add(rttMicros.getCountBetweenValues(from, from + width - 1));
        }
        if (rttMicros.getMaxValue() >= from) {
            labels.add(String.format(Locale.ROOT, "≥ %.2f", from / 1000.0));
            counts.add(rttMicros.getCountBetweenValues(from, rttMicros.getMaxValue()));
        }
        CategoryChart chart = new CategoryChartBuilder()
                .width(WIDTH)
                .height(HEIGHT)
                .title(String.format(
                        Locale.ROOT,
                        "RTT distribution (%d probes; p50 %.3f, p90 %.3f, p99 %.3f, max %.3f ms)",
                        rttMicros.getTotalCount(),
                        ms(rttMicros.getValueAtPercentile(50)),
                        ms(rttMicros.getValueAtPercentile(90)),
                        ms(rttMicros.getValueAtPercentile(99)),
                        ms(rttMicros.getMaxValue())))
                .xAxisTitle("RTT from (ms)")
                .yAxisTitle("probes")
                .build();
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setXAxisLabelRotation(60);
        chart.addSeries("probes", labels, counts);
        return chart;
    }

    private static double ms(long micros) {
        return micros / 1000.0;
    }

    private static void save(org.knowm.xchart.internal.chartpart.Chart<?, ?> chart, Path file) {
        try {
            BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A time series of at most {@value #MAX_POINTS} points: when full, every other point is dropped and the stride doubles. */
    private static final class BoundedSeries {
        static final int MAX_POINTS = 20_000;
        final List<Date> times = new ArrayList<>();
        final List<Double> values = new ArrayList<>();
        long stride = 1;
        long offered;

        void add(Instant at, double value) {
            if (!Double.isFinite(value) || offered++ % stride != 0) return;
            if (times.size() == MAX_POINTS) {
                for (int i = 0; i < MAX_POINTS / 2; i++) {
                    times.set(i, times.get(2 * i));
                    values.set(i, values.get(2 * i));
                }
                times.subList(MAX_POINTS / 2, MAX_POINTS).clear();
                values.subList(MAX_POINTS / 2, MAX_POINTS).clear();
                stride *= 2;
            }
            times.add(Date.from(at));
            values.add(value);
        }

        /** A null point: XChart leaves a gap in the line there. */
        void gap(Instant at) {
            if (values.isEmpty() || values.get(values.size() - 1) == null) return;
            times.add(Date.from(at));
            values.add(null);
        }

        int size() {
            return times.size();
        }

        void addTo(XYChart chart, String name) {
            if (!times.isEmpty()) chart.addSeries(name, times, values);
        }
    }
}
