package io.packetparamedic.reflector.cli;

import io.packetparamedic.reflector.client.ClientRun;
import io.packetparamedic.reflector.client.UdpEchoProbe;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code reflector client udp-echo}: timestamped probes through a UDP echo session; reports
 * received / late / policed / lost, RTT percentiles (HdrHistogram) and RFC 3550 jitter.
 */
@Command(
        name = "udp-echo",
        mixinStandardHelpOptions = true,
        description =
                "Measure round trips through a UDP echo session: loss (network vs policing vs late), RTT p50/p90/p99/max, jitter.")
final class ClientUdpEchoCommand extends ClientRunCommand {

    @Option(
            names = {"-n", "--count"},
            defaultValue = "500",
            description = "Probes to send (default: ${DEFAULT-VALUE}).")
    int count;

    @Option(
            names = "--interval-ms",
            defaultValue = "10",
            description = "Milliseconds between probes (default: ${DEFAULT-VALUE}).")
    int intervalMs;

    @Option(
            names = "--size",
            defaultValue = "64",
            description = "Probe size in bytes, " + 16 + "-" + UdpEchoProbe.MAX_SIZE + " (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(
            names = "--late-after-ms",
            defaultValue = "1000",
            description = "An echo slower than this counts as late, not as received (default: ${DEFAULT-VALUE}).")
    long lateAfterMs;

    @Override
    ClientRun.Plan plan() {
        return new ClientRun.Plan(List.of(), 0, 0, UdpEchoProbe.Settings.of(count, intervalMs, size, lateAfterMs));
    }

    @Override
    String iperf3() {
        return null;
    }
}
