package io.packetparamedic.e2e.netns;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A point-to-point link made of a TAP device in each of two namespaces, joined by the
 * {@code ppn-tapwire} helper (src/main/c), which applies netem-style impairment in user space.
 * Used where the kernel has no {@code sch_netem}. The devices live as long as the helper does; it
 * exits when its stdin closes, so even a killed test JVM leaves no device behind.
 */
final class TapWire implements AutoCloseable {

    private static final String SOURCE = "ppn-tapwire.c";
    private final Process process;
    private final Path log;

    private TapWire(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Builds the helper (once per build directory) and returns its path. */
    static synchronized Path helper(Path sourceDir, Path buildDir) {
        Path source = sourceDir.resolve(SOURCE);
        Path binary = buildDir.resolve("ppn-tapwire");
        try {
            if (!Files.isRegularFile(source)) throw new TopologyException("helper source " + source + " is missing");
            if (Files.isExecutable(binary)
                    && Files.getLastModifiedTime(binary).compareTo(Files.getLastModifiedTime(source)) > 0) {
                return binary;
            }
            Files.createDirectories(buildDir);
        } catch (IOException e) {
            throw new TopologyException("cannot prepare " + binary + ": " + e.getMessage(), e);
        }
        Commands.run("gcc", "-O2", "-Wall", "-o", binary.toString(), source.toString());
        return binary;
    }

    /** Starts a wire between {@code nsA/ifA} and {@code nsB/ifB}; {@code aToB} impairs what A sends. */
    static TapWire start(
            Path helper, String nsA, String ifA, String nsB, String ifB, Impairment aToB, Impairment bToA, Path log) {
        List<String> command = List.of(
                helper.toString(),
                nsA,
                ifA,
                nsB,
                ifB,
                Long.toString(Impairment.micros(aToB.delayMs())),
                Long.toString(Impairment.micros(aToB.jitterMs())),
                Long.toString(Math.round(aToB.lossPercent() * 10_000)),
                Long.toString(Impairment.micros(bToA.delayMs())),
                Long.toString(Impairment.micros(bToA.jitterMs())),
                Long.toString(Math.round(bToA.lossPercent() * 10_000)));
        Process p;
        try {
            p = new ProcessBuilder(command).redirectError(log.toFile()).start();
        } catch (IOException e) {
            throw new TopologyException("cannot start " + helper + ": " + e.getMessage(), e);
        }
        TapWire wire = new TapWire(p, log);
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> ready = CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            } catch (IOException e) {
                return null;
            }
        });
        String line;
        try {
            line = ready.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            line = null;
        }
        if (!"ready".equals(line)) {
            wire.close();
            throw new TopologyException("the TAP wire " + nsA + "/" + ifA + " <-> " + nsB + "/" + ifB
                    + " did not start: " + wire.logText());
        }
        return wire;
    }

    String logText() {
        try {
            return Files.exists(log) ? Files.readString(log).strip() : "";
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() {
        try {
            process.getOutputStream().close();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (IOException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
