package io.packetparamedic.reflector.client;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** The local iperf3, found and asked for its version before any session is requested. */
public record Iperf3Binary(String command, String version) {

    /**
     * Runs {@code command --version}.
     *
     * @throws IllegalArgumentException with what to do, when it cannot be run
     */
    public static Iperf3Binary locate(String command) throws InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(command, "--version")
                    .redirectErrorStream(true)
                    .start();
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "iperf3 is needed for throughput tests and '" + command + "' cannot be run (" + e.getMessage()
                            + "); install iperf3 (e.g. apt-get install iperf3) or give its path with --iperf3");
        }
        try {
            p.getOutputStream().close();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                throw new IllegalArgumentException("'" + command + " --version' did not finish in 10 s; is it iperf3?");
            }
            String text = new String(p.getInputStream().readNBytes(4096), StandardCharsets.UTF_8);
            String first = text.lines().findFirst().orElse("").strip();
            if (!first.startsWith("iperf 3")) {
                throw new IllegalArgumentException(
                        "'" + command + "' is not iperf3 (its --version says: " + first + ")");
            }
            return new Iperf3Binary(command, first);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read '" + command + " --version': " + e.getMessage());
        } finally {
            p.destroyForcibly();
        }
    }
}
