package io.packetparamedic.reflector.client;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.TimeUnit;

/**
 * Soak mode: the standard run (speed test and UDP echo) on a fixed schedule for a fixed time,
 * every cycle appended to one results archive. Built to outlive the reflector's restarts and
 * network loss: each cycle opens its own connection, retrying with exponential backoff (1 s,
 * 2 s, ... at most 30 s) until the next cycle is due; a cycle that cannot reach the reflector is a
 * failed cycle, not the end of the soak. An unexpected exception in a cycle counts as a client
 * crash (the soak's first criterion is zero of them) and the soak goes on.
 */
public final class SoakRunner {

    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    /** Opens a connection to the reflector (the caller's identity, pin and address). */
    @FunctionalInterface
    public interface Connector {
        LinkClient connect() throws IOException;
    }

    /** What to run, how often and for how long. */
    public record Settings(
            Duration every,
            Duration total,
            ClientRun.Plan plan,
            String host,
            String iperf3,
            Duration patience,
            Criteria criteria,
            URI healthUrl) {}

    /** Told about each cycle, for the display. */
    public interface Events {
        void cycleStarting(int cycle, Instant at);

        void cycleDone(int cycle, RunReport report);

        void unreachable(int attempt, String why, Duration retryIn);
    }

    private final Settings settings;
    private final Connector connector;
    private final ResultsArchive archive;
    private final ClientRun.Progress progress;
    private final Events events;

    public SoakRunner(
            Settings settings,
            Connector connector,
            ResultsArchive archive,
            ClientRun.Progress progress,
            Events events) {
        this.settings = settings;
        this.connector = connector;
        this.archive = archive;
        this.progress = progress;
        this.events = events;
    }

    public SoakSummary run() throws InterruptedException, IOException {
        Instant start = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        Instant end = start.plus(settings.total());
        SoakSummary summary =
                new SoakSummary(start, settings.every(), settings.total(), new MemorySampler(settings.healthUrl()));
        for (int cycle = 1; ; cycle++) {
            Instant due = start.plus(settings.every().multipliedBy(cycle - 1L));
            if (!due.isBefore(end)) break;
            sleepUntil(due);
            Instant next = due.plus(settings.every());
            events.cycleStarting(cycle, Instant.now().truncatedTo(ChronoUnit.SECONDS));
            RunReport report;
            try {
                report = cycle(next.isBefore(end) ? next : end, summary);
            } catch (RuntimeException e) {
                // A bug in this client: counted, reported, and the soak goes on.
                summary.crashed();
                report = failed("client crash: " + e);
            }
            report.finish(settings.criteria(), Instant.now().truncatedTo(ChronoUnit.MILLIS));
            summary.add(cycle, report);
            archive.add(report);
            try {
                archive.writeCharts();
            } catch (IOException e) {
                summary.chartsFailed(e.getMessage());
            }
            // Sampled once the cycle's work is done, charts included (the first draw loads AWT).
            summary.sampleMemory();
            archive.writeSummary(summary.toMap(Instant.now().truncatedTo(ChronoUnit.MILLIS)));
            events.cycleDone(cycle, report);
            // Skip the slots an overlong cycle ran into, so the schedule is kept, not compressed.
            long overran = Duration.between(next, Instant.now()).toNanos()
                    / Math.max(1, settings.every().toNanos());
            if (overran > 0) cycle += (int) overran;
        }
        summary.finish(Instant.now().truncatedTo(ChronoUnit.MILLIS));
        archive.writeSummary(summary.toMap(Instant.now().truncatedTo(ChronoUnit.MILLIS)));
        return summary;
    }

    /** One cycle: connect and say hello (with backoff until {@code giveUpAt}), run, close. */
    private RunReport cycle(Instant giveUpAt, SoakSummary summary) throws InterruptedException {
        Duration backoff = Duration.ofSeconds(1);
        for (int attempt = 1; ; attempt++) {
            LinkClient link = null;
            try {
                link = connector.connect();
                RunReport report = ClientRun.execute(
                        link, settings.host(), settings.plan(), settings.iperf3(), settings.patience(), progress);
                if (attempt > 1) summary.reconnected();
                return report;
            } catch (IllegalArgumentException e) {
                // The reflector's policy rules the plan out (it may have been reconfigured).
                return failed("the reflector's policy refuses this soak's tests: " + e.getMessage());
            } catch (IOException e) {
                Instant retryAt = Instant.now().plus(backoff);
                if (!retryAt.isBefore(giveUpAt)) {
                    return failed("the reflector was unreachable for this cycle (" + attempt + " attempts): "
                            + e.getMessage());
                }
                events.unreachable(attempt, e.getMessage(), backoff);
                TimeUnit.MILLISECONDS.sleep(backoff.toMillis());
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            } finally {
                closeQuietly(link);
            }
        }
    }

    private RunReport failed(String why) {
        RunReport failed = new RunReport(settings.host(), Instant.now().truncatedTo(ChronoUnit.MILLIS));
        failed.error(why);
        return failed;
    }

    private static void closeQuietly(LinkClient link) {
        if (link == null) return;
        try {
            link.close();
        } catch (IOException e) {
            // the connection is gone either way
        }
    }

    private static void sleepUntil(Instant due) throws InterruptedException {
        long millis = Duration.between(Instant.now(), due).toMillis();
        if (millis > 0) TimeUnit.MILLISECONDS.sleep(millis);
    }
}
