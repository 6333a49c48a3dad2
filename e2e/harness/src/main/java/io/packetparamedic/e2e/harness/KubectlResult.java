package io.packetparamedic.e2e.harness;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one kubectl invocation produced.
 *
 * @param command the full command line that ran
 * @param exitCode its exit code
 * @param stdout standard output
 * @param stderr standard error
 */
public record KubectlResult(List<String> command, int exitCode, String stdout, String stderr) {

    /** What {@link Exec} kept of a kubectl (or helm) run. */
    public static KubectlResult of(Exec.Result r) {
        return new KubectlResult(r.command(), r.exitCode(), r.stdout(), r.stderr());
    }

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

    /**
     * One row of kubectl's table output (as {@code kubectl get} prints it), by column header: the
     * row whose first column is {@code name}. Headers are split on runs of two or more spaces
     * (they may contain one, e.g. {@code ENDPOINT ID}); values on whitespace.
     */
    public Map<String, String> tableRow(String name) {
        List<String> lines = stdout.lines().toList();
        List<String> headers = Arrays.asList(lines.get(0).trim().split("\\s{2,}"));
        String line = lines.stream()
                .skip(1)
                .filter(l -> l.startsWith(name + " "))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no row " + name + " in\n" + stdout));
        String[] values = line.trim().split("\\s+");
        Map<String, String> row = new LinkedHashMap<>();
        for (int i = 0; i < headers.size() && i < values.length; i++) {
            row.put(headers.get(i), values[i]);
        }
        return row;
    }

    @Override
    public String toString() {
        return new Exec.Result(command, exitCode, stdout, stderr).toString();
    }
}
