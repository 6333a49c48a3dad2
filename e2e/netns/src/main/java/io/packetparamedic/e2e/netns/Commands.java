package io.packetparamedic.e2e.netns;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs the system tools that build a topology ({@code ip}, {@code nft}, {@code tc}) and turns a
 * failure into a {@link TopologyException} that says which command failed and why.
 */
public final class Commands {

    private static final long TIMEOUT_SEC = 30;

    private Commands() {}

    /** What a finished command printed. */
    public record Result(List<String> command, int exitCode, String stdout, String stderr) {
        public boolean ok() {
            return exitCode == 0;
        }
    }

    /** Runs {@code command} and returns its stdout; a non-zero exit is a {@link TopologyException}. */
    public static String run(String... command) {
        Result r = attempt(command);
        if (!r.ok()) {
            throw new TopologyException("`" + String.join(" ", command) + "` exited with " + r.exitCode()
                    + (r.stderr().isBlank() ? "" : ": " + r.stderr().strip()));
        }
        return r.stdout();
    }

    /** Like {@link #run} with stdin fed from {@code input} (e.g. an nft script for {@code nft -f -}). */
    public static String runWithInput(String input, String... command) {
        Result r = attempt(input, command);
        if (!r.ok()) {
            throw new TopologyException("`" + String.join(" ", command) + "` exited with " + r.exitCode()
                    + (r.stderr().isBlank() ? "" : ": " + r.stderr().strip()) + "\ninput:\n" + input);
        }
        return r.stdout();
    }

    /** Runs {@code command} and reports how it ended, whatever the exit code. */
    public static Result attempt(String... command) {
        return attempt(null, command);
    }

    private static Result attempt(String input, String... command) {
        List<String> cmd = List.of(command);
        Process p;
        try {
            p = new ProcessBuilder(new ArrayList<>(cmd)).start();
        } catch (IOException e) {
            throw new TopologyException("cannot run `" + String.join(" ", command) + "`: " + e.getMessage()
                    + " (is " + command[0] + " installed? see .ci/run)", e);
        }
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        try {
            try (var stdin = p.getOutputStream()) {
                if (input != null) stdin.write(input.getBytes(StandardCharsets.UTF_8));
            }
            if (!p.waitFor(TIMEOUT_SEC, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                throw new TopologyException("`" + String.join(" ", command) + "` did not finish within " + TIMEOUT_SEC + " s");
            }
            return new Result(cmd, p.exitValue(), out.get(5, TimeUnit.SECONDS), err.get(5, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new TopologyException("interrupted while running `" + String.join(" ", command) + "`", e);
        } catch (Exception e) {
            if (e instanceof TopologyException te) throw te;
            throw new TopologyException("running `" + String.join(" ", command) + "` failed: " + e, e);
        }
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
