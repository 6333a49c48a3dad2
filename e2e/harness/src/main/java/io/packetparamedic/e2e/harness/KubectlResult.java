package io.packetparamedic.e2e.harness;

import java.util.List;

/**
 * What one kubectl invocation produced.
 *
 * @param command the full command line that ran
 * @param exitCode its exit code
 * @param stdout standard output
 * @param stderr standard error
 */
public record KubectlResult(List<String> command, int exitCode, String stdout, String stderr) {

  public boolean succeeded() {
    return exitCode == 0;
  }

  /** Returns this result, or throws with everything kubectl said when it failed. */
  public KubectlResult orThrow() {
    if (!succeeded()) {
      throw new IllegalStateException(this.toString());
    }
    return this;
  }

  @Override
  public String toString() {
    return String.join(" ", command) + " -> exit " + exitCode
        + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
  }
}
