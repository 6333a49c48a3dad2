package io.packetparamedic.reflector.cli;

import picocli.CommandLine.Option;

/** The speed test's options, shared by {@code client throughput} and {@code client soak}. */
final class SpeedTestOptions {

    @Option(
            names = {"-t", "--duration"},
            paramLabel = "SECONDS",
            defaultValue = "10",
            description = "Seconds per direction (default: ${DEFAULT-VALUE}).")
    int duration;

    @Option(
            names = {"-P", "--streams"},
            paramLabel = "N",
            defaultValue = "4",
            description = "Parallel streams (default: ${DEFAULT-VALUE}).")
    int streams;

    @Option(
            names = "--iperf3",
            paramLabel = "PATH",
            defaultValue = "iperf3",
            description = "The local iperf3 binary (default: ${DEFAULT-VALUE}).")
    String iperf3;
}
