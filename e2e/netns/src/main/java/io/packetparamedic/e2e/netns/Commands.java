package io.packetparamedic.e2e.netns;

import io.packetparamedic.e2e.harness.Exec;
import java.io.UncheckedIOException;
import java.time.Duration;

/**
 * Runs the system tools that build a topology ({@code ip}, {@code nft}, {@code tc}) and turns a
 * failure into a {@link TopologyException} that says which command failed and why.
 */
public final class Commands {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private Commands() {}

    /** Runs {@code command} and returns its stdout; a non-zero exit is a {@link TopologyException}. */
    public static String run(String... command) {
        Exec.Result r = attempt(command);
        if (!r.ok()) {
            throw new TopologyException("`" + String.join(" ", command) + "` exited with " + r.exitCode()
                    + (r.stderr().isBlank() ? "" : ": " + r.stderr().strip()));
        }
        return r.stdout();
    }

    /** Like {@link #run} with stdin fed from {@code input} (e.g. an nft script for {@code nft -f -}). */
    public static String runWithInput(String input, String... command) {
        Exec.Result r = attempt(input, command);
        if (!r.ok()) {
            throw new TopologyException("`" + String.join(" ", command) + "` exited with " + r.exitCode()
                    + (r.stderr().isBlank() ? "" : ": " + r.stderr().strip()) + "\ninput:\n" + input);
        }
        return r.stdout();
    }

    /** Runs {@code command} and reports how it ended, whatever the exit code. */
    public static Exec.Result attempt(String... command) {
        return attempt(null, command);
    }

    private static Exec.Result attempt(String input, String... command) {
        try {
            return Exec.of(command).input(input).timeout(TIMEOUT).run();
        } catch (UncheckedIOException e) {
            throw new TopologyException(
                    "cannot run `" + String.join(" ", command) + "`: "
                            + e.getCause().getMessage() + " (is " + command[0] + " installed? see .ci/run)",
                    e);
        } catch (IllegalStateException e) {
            throw new TopologyException(e.getMessage(), e);
        }
    }
}
