package io.packetparamedic.reflector.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.packetparamedic.reflector.client.ClientRun;
import io.packetparamedic.reflector.client.Criteria;
import io.packetparamedic.reflector.client.Iperf3Binary;
import io.packetparamedic.reflector.client.ResultsArchive;
import io.packetparamedic.reflector.client.RunReport;
import io.packetparamedic.reflector.client.ThroughputTest;
import io.packetparamedic.reflector.client.UdpEchoProbe;
import io.packetparamedic.reflector.wire.LinkCodec;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;

/**
 * The measuring client commands ({@code throughput}, {@code udp-echo}): every input is checked
 * and iperf3 found before the connection is opened, so a mistake costs no session; then one
 * {@link ClientRun}, the report on stdout (a table or {@code --json}), the archive if asked for.
 * Exit 0 only when the run had no error and met every criterion.
 */
abstract class ClientRunCommand extends ClientCommand.Action {

    @Mixin
    ClientRunOptions options;

    /** The plan from this command's options; IllegalArgumentException for a bad value. */
    abstract ClientRun.Plan plan();

    /** The iperf3 to use, or null when the plan runs no throughput test. */
    abstract String iperf3();

    @Override
    public Integer call() {
        ClientRun.Plan plan;
        Criteria criteria;
        Duration patience;
        ResultsArchive archive = null;
        String host = client.serverAddress().getHostString();
        try {
            plan = plan();
            if (plan.problem() != null) throw new IllegalArgumentException(plan.problem());
            criteria = options.criteria();
            patience = options.patience();
            if (!plan.reverseFlags().isEmpty()) Iperf3Binary.locate(iperf3());
            if (options.results != null) archive = ResultsArchive.create(options.results, Instant.now());
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        } catch (IOException e) {
            throw new CliFailure("cannot create the results archive under " + options.results + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
        ProgressPrinter progress = new ProgressPrinter(err(), System.console() != null);
        RunReport report = client.withConnection(err(), c -> {
            try {
                return ClientRun.execute(c, host, plan, iperf3(), patience, progress);
            } catch (IllegalArgumentException e) {
                throw new CliFailure(e.getMessage() + " (no session was requested)");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CliFailure("interrupted");
            }
        });
        progress.end();
        report.finish(criteria, Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
        if (archive != null) {
            try {
                archive.add(report);
                archive.writeSummary(report.toMap());
                err().println("results: " + archive.dir());
            } catch (IOException e) {
                report.error("writing the results archive failed: " + e.getMessage());
            }
            try {
                archive.writeCharts();
            } catch (IOException e) {
                err().println("warning: " + e.getMessage() + " (the rest of the archive is written)");
            }
        }
        print(report);
        for (String error : report.errors()) err().println("error: " + error);
        for (Criteria.Check c : report.checks()) {
            if (!c.passed()) {
                err().println(String.format(
                        Locale.ROOT,
                        "FAIL: %s %s: measured %.3f, limit %.3f",
                        c.subject(),
                        c.criterion(),
                        c.measured(),
                        c.limit()));
            }
        }
        err().flush();
        return report.passed() ? 0 : 1;
    }

    private void print(RunReport report) {
        PrintWriter out = out();
        if (client.json) {
            try {
                out.println(LinkCodec.MAPPER.writeValueAsString(report.toMap()));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
            out.flush();
            return;
        }
        if (!report.directions().isEmpty()) {
            out.println(String.format(
                    Locale.ROOT, "%-9s %12s %14s %8s %12s", "direction", "Mbit/s", "bytes", "seconds", "retransmits"));
            for (ThroughputTest.Direction d : report.directions()) {
                out.println(String.format(
                        Locale.ROOT,
                        "%-9s %12.2f %14d %8.2f %12d",
                        d.direction(),
                        d.result().mbitPerSecond(),
                        d.result().bytes(),
                        d.result().seconds(),
                        d.result().retransmits()));
            }
        }
        if (report.echo() != null) {
            UdpEchoProbe.Result r = report.echo().result();
            out.println(String.format(
                    Locale.ROOT,
                    "Probes:   %d sent, %d received, %d late, %d policed by the reflector, "
                            + "%d lost (%.2f %% network loss), %d corrupted",
                    r.sent(),
                    r.received(),
                    r.late(),
                    r.policed(),
                    r.lost(),
                    r.lossPercent(),
                    r.corrupted()));
            out.println(String.format(
                    Locale.ROOT,
                    "RTT ms:   min %.3f  avg %.3f  p50 %.3f  p90 %.3f  p99 %.3f  max %.3f",
                    r.rttMinMs(),
                    r.rttAvgMs(),
                    r.rttP50Ms(),
                    r.rttP90Ms(),
                    r.rttP99Ms(),
                    r.rttMaxMs()));
            out.println(String.format(Locale.ROOT, "Jitter:   %.3f ms (RFC 3550)", r.jitterMs()));
        }
        if (!report.checks().isEmpty())
            out.println(
                    "Criteria: " + (report.checks().stream().allMatch(Criteria.Check::passed) ? "all met" : "NOT met"));
        out.flush();
    }
}
