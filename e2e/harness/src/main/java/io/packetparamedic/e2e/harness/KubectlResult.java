package io.packetparamedic.e2e.harness;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What one kubectl invocation produced.
 *
 * @param command the full command line that ran
 * @param exitCode its exit code
 * @param stdout standard output
 * @param stderr standard error
 */
public record KubectlResult(List<String> command, int exitCode, String stdout, String stderr) {

    /** A table header: words separated by single spaces (columns are at least two apart). */
    private static final Pattern HEADER = Pattern.compile("\\S+(?: \\S+)*");

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
     * row whose first column is {@code name}. kubectl left-aligns every cell under its header and
     * leaves an empty cell blank, so a row is cut at the headers' start columns (splitting on
     * spaces would shift every cell after a blank one). Headers are separated by at least two
     * spaces and may contain one (e.g. {@code ENDPOINT ID}).
     */
    public Map<String, String> tableRow(String name) {
        List<String> lines = stdout.lines().filter(l -> !l.isBlank()).toList();
        if (lines.isEmpty()) {
            throw new IllegalStateException("no table in kubectl's output: " + this);
        }
        List<String> headers = new ArrayList<>();
        List<Integer> starts = new ArrayList<>();
        Matcher m = HEADER.matcher(lines.get(0));
        while (m.find()) {
            headers.add(m.group());
            starts.add(m.start());
        }
        String line = lines.stream()
                .skip(1)
                .filter(l -> l.equals(name) || l.startsWith(name + " "))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no row " + name + " in\n" + stdout));
        Map<String, String> row = new LinkedHashMap<>();
        for (int i = 0; i < headers.size(); i++) {
            int from = Math.min(starts.get(i), line.length());
            int to = i + 1 < headers.size() ? Math.min(starts.get(i + 1), line.length()) : line.length();
            row.put(headers.get(i), line.substring(from, to).strip());
        }
        return row;
    }

    @Override
    public String toString() {
        return new Exec.Result(command, exitCode, stdout, stderr).toString();
    }
}
