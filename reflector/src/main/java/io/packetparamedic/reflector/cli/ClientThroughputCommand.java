package io.packetparamedic.reflector.cli;

import io.packetparamedic.reflector.client.ClientRun;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code reflector client throughput}: the standard speed test as a model appliance runs it:
 * upload then download, each in its own session, iperf3 for the granted duration and streams,
 * {@code session_close} after each, the cooldown between them waited out with a countdown.
 */
@Command(
        name = "throughput",
        mixinStandardHelpOptions = true,
        description = "Run iperf3 against the reflector: upload, download or both (as a well-behaved appliance does).")
final class ClientThroughputCommand extends ClientRunCommand {

    enum Direction {
        upload,
        download,
        both
    }

    @Option(
            names = {"-d", "--direction"},
            defaultValue = "both",
            description = "upload, download or both (default: ${DEFAULT-VALUE}).")
    Direction direction;

    @Mixin
    SpeedTestOptions speedTest;

    static List<Boolean> reverseFlags(Direction direction) {
        return switch (direction) {
            case upload -> List.of(false);
            case download -> List.of(true);
            case both -> List.of(false, true);
        };
    }

    @Override
    ClientRun.Plan plan() {
        return new ClientRun.Plan(reverseFlags(direction), speedTest.duration, speedTest.streams, null);
    }

    @Override
    String iperf3() {
        return speedTest.iperf3;
    }
}
