package io.packetparamedic.reflector.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.packetparamedic.reflector.client.ThroughputRunner;
import io.packetparamedic.reflector.wire.LinkCodec;
import io.packetparamedic.reflector.wire.Payload;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code reflector client throughput}: what an appliance does: request a throughput session, run
 * the local iperf3 client against the granted port, and for {@code both} follow the upload with
 * the download right away on the same connection, without a {@code session_close} in between.
 */
@Command(name = "throughput", mixinStandardHelpOptions = true,
        description = "Run iperf3 against the reflector: upload, download or both (as an appliance does).")
final class ClientThroughputCommand extends ClientCommand.Action {

    enum Direction { upload, download, both }

    @Option(names = {"-d", "--direction"}, defaultValue = "both",
            description = "upload, download or both (default: ${DEFAULT-VALUE}).")
    Direction direction;

    @Option(names = {"-t", "--duration"}, paramLabel = "SECONDS", defaultValue = "10",
            description = "Seconds per direction (default: ${DEFAULT-VALUE}).")
    int duration;

    @Option(names = {"-P", "--streams"}, paramLabel = "N", defaultValue = "4",
            description = "Parallel streams (default: ${DEFAULT-VALUE}).")
    int streams;

    @Option(names = "--iperf3", paramLabel = "PATH", defaultValue = "iperf3",
            description = "The local iperf3 binary (default: ${DEFAULT-VALUE}).")
    String iperf3;

    @Override
    public Integer call() {
        List<Boolean> runs = switch (direction) {
            case upload -> List.of(false);
            case download -> List.of(true);
            case both -> List.of(false, true);
        };
        String host = client.serverAddress().getHostString();
        ThroughputRunner runner = new ThroughputRunner(iperf3);
        List<Map<String, Object>> results = new ArrayList<>();
        Integer exit = client.withConnection(err(), c -> {
            for (boolean reverse : runs) {
                String name = reverse ? "download" : "upload";
                Payload answer = c.sessionRequest("throughput",
                        new Payload.SessionParams(duration, "tcp", streams, reverse));
                if (answer instanceof Payload.SessionDeny deny) {
                    err().println("error: " + name + " denied: " + deny.reason() + ": " + deny.message()
                            + (deny.retryAfterSec() == null ? "" : " (retry in " + deny.retryAfterSec() + " s)"));
                    err().flush();
                    return 1;
                }
                Payload.SessionGrant grant = (Payload.SessionGrant) answer;
                err().println(name + ": session " + grant.testId() + " on port " + grant.port());
                err().flush();
                ThroughputRunner.Result r;
                try {
                    r = runner.run(host, grant.port(), duration, streams, reverse, s -> {
                        err().print("\r" + name + ": " + s + "/" + duration + " s");
                        err().flush();
                    });
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted");
                }
                err().println();
                if (!r.ok()) {
                    err().println("error: " + name + ": iperf3 failed: " + r.error());
                    err().flush();
                    return 1;
                }
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("direction", name);
                row.put("test_id", grant.testId());
                row.put("mbit_per_sec", Math.round(r.mbitPerSecond() * 100) / 100.0);
                row.put("bytes", r.bytes());
                row.put("seconds", r.seconds());
                row.put("retransmits", r.retransmits());
                results.add(row);
            }
            return 0;
        });
        PrintWriter out = out();
        if (client.json) {
            try {
                out.println(LinkCodec.MAPPER.writeValueAsString(Map.of("results", results)));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        } else if (!results.isEmpty()) {
            out.println(String.format(Locale.ROOT, "%-9s %12s %14s %8s %12s", "direction", "Mbit/s", "bytes", "seconds",
                    "retransmits"));
            for (Map<String, Object> row : results) {
                out.println(String.format(Locale.ROOT, "%-9s %12.2f %14d %8.2f %12d", row.get("direction"),
                        (Double) row.get("mbit_per_sec"), (Long) row.get("bytes"), (Double) row.get("seconds"),
                        (Long) row.get("retransmits")));
            }
        }
        out.flush();
        return exit;
    }
}
