package io.packetparamedic.reflector.cli;

import io.packetparamedic.reflector.client.Criteria;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/** Options every measuring client command shares: patience, results archive, pass/fail criteria. */
final class ClientRunOptions {

    @Option(
            names = "--max-wait",
            paramLabel = "SECONDS",
            defaultValue = "75",
            description = "Longest wait for a busy reflector or its cooldown before a test, with a countdown "
                    + "(default: ${DEFAULT-VALUE}; 0 = never wait).")
    int maxWaitSec;

    @Option(
            names = "--results",
            paramLabel = "DIR",
            description = "Write a results archive under DIR/<YYYY-MM-DD_HHMMSS>/: test_summary.json, metrics.csv, "
                    + "the raw iperf3 JSON and PNG charts.")
    Path results;

    @Option(
            names = "--criteria",
            paramLabel = "FILE",
            description =
                    "Pass/fail criteria as JSON, e.g. {\"min_mbps\": 500, \"max_rtt_p99_ms\": 20, \"max_loss_pct\": 0.5}.")
    Path criteriaFile;

    @Option(names = "--min-mbps", paramLabel = "MBIT_S", description = "Fail when a throughput direction is slower.")
    Double minMbps;

    @Option(names = "--max-rtt-p99-ms", paramLabel = "MS", description = "Fail when the UDP echo RTT p99 is higher.")
    Double maxRttP99Ms;

    @Option(
            names = "--max-loss-pct",
            paramLabel = "PCT",
            description = "Fail when more UDP echo probes are lost in the network (policed and late ones not counted).")
    Double maxLossPct;

    /** The criteria: the file's, each overridden by a command-line value. */
    Criteria criteria() {
        Criteria fromFile = criteriaFile == null ? Criteria.NONE : Criteria.load(criteriaFile);
        return fromFile.overriddenBy(new Criteria(minMbps, maxRttP99Ms, maxLossPct));
    }

    Duration patience() {
        if (maxWaitSec < 0 || maxWaitSec > 3600)
            throw new IllegalArgumentException("--max-wait must be 0-3600 seconds, got " + maxWaitSec);
        return Duration.ofSeconds(maxWaitSec);
    }
}
