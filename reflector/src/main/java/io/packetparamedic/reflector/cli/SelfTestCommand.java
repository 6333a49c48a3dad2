package io.packetparamedic.reflector.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.packetparamedic.reflector.selftest.HostReadiness;
import io.packetparamedic.reflector.wire.LinkCodec;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code reflector self-test [--json]}: host readiness with PASS/WARN/FAIL per check and a
 * verdict. Exits 0 when ready, 2 when not.
 */
@Command(
        name = "self-test",
        mixinStandardHelpOptions = true,
        description = "Check whether this host is ready to serve tests (cores, memory, iperf3, loopback throughput, "
                + "Ed25519 speed, open-file limit, clock sync). Exit 2 when not ready.")
public final class SelfTestCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "Print the report as JSON.")
    boolean json;

    @Option(
            names = "--iperf3",
            paramLabel = "PATH",
            defaultValue = "iperf3",
            description = "The iperf3 binary to check (default: ${DEFAULT-VALUE}).")
    String iperf3;

    @Option(
            names = "--seconds",
            paramLabel = "N",
            defaultValue = "5",
            description = "Length of the loopback iperf3 run (default: ${DEFAULT-VALUE}).")
    int seconds;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        HostReadiness.Report report = new HostReadiness(iperf3, Math.max(1, seconds)).run();
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("ready", report.ready());
            doc.put("verdict", report.verdict());
            doc.put(
                    "checks",
                    report.rows().stream()
                            .map(r -> {
                                Map<String, Object> row = new LinkedHashMap<>();
                                row.put("check", r.check());
                                row.put("result", r.level().name());
                                row.put("value", r.value());
                                if (!r.detail().isEmpty()) row.put("detail", r.detail());
                                return row;
                            })
                            .toList());
            try {
                out.println(LinkCodec.MAPPER.writeValueAsString(doc));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        } else {
            print(out, report.rows());
            out.println();
            out.println("Verdict: " + report.verdict());
        }
        out.flush();
        return report.ready() ? 0 : 2;
    }

    private static void print(PrintWriter out, List<HostReadiness.Row> rows) {
        int width = rows.stream().mapToInt(r -> r.check().length()).max().orElse(10);
        int valueWidth = rows.stream().mapToInt(r -> r.value().length()).max().orElse(10);
        for (HostReadiness.Row r : rows) {
            out.println(String.format(
                            Locale.ROOT,
                            "%-4s  %-" + width + "s  %-" + valueWidth + "s  %s",
                            r.level(),
                            r.check(),
                            r.value(),
                            r.detail())
                    .stripTrailing());
        }
    }
}
