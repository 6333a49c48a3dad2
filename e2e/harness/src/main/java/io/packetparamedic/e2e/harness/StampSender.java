package io.packetparamedic.e2e.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An independent STAMP Session-Sender (RFC 8762, unauthenticated): stamp-suite, built from crates.io
 * by {@code e2e/hack/stamp-sender.sh provision} (docs/testing/stamp-interop.md). One {@link #run}
 * sends {@code count} probes to a reflector and returns what the tool reported: its JSON summary,
 * and the per-reply lines it prints with {@code -R}.
 *
 * <pre>{@code
 * StampSender.Report r = StampSender.to("127.0.0.1", port).count(5).run();
 * }</pre>
 */
public final class StampSender {

    static final String SCRIPT = "e2e/hack/stamp-sender.sh";
    // -R prints one line per accepted reply, e.g. "seq=3 rtt=0.138ms ttl=255 reflector_recv_ts=..."
    private static final Pattern REPLY = Pattern.compile("^seq=(\\d+) rtt=([0-9.]+)ms ttl=(\\d+) ");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String host;
    private final int port;
    private int localPort;
    private int count = 5;
    private Duration interval = Duration.ofMillis(20);
    private int timeoutSeconds = 2;
    private int ssid;

    private StampSender(String host, int port) {
        this.host = host;
        this.port = port;
    }

    /** A sender aimed at the Session-Reflector on {@code host:port} (UDP). */
    public static StampSender to(String host, int port) {
        return new StampSender(host, port);
    }

    /** Its UDP source port (default 0: the tool picks one from 49152-65535). */
    public StampSender fromPort(int port) {
        this.localPort = port;
        return this;
    }

    /** How many probes (default 5). */
    public StampSender count(int probes) {
        this.count = probes;
        return this;
    }

    /** Gap between probes (default 20 ms; the tool's resolution is 1 µs). */
    public StampSender interval(Duration gap) {
        this.interval = gap;
        return this;
    }

    /** How long it waits for a reply before counting the probe lost, whole seconds (default 2). */
    public StampSender replyTimeoutSeconds(int seconds) {
        this.timeoutSeconds = seconds;
        return this;
    }

    /**
     * The Session-Sender Identifier (RFC 8972 §3) in every probe; default 0, no SSID. With a nonzero
     * one the tool drops replies carrying another nonzero SSID.
     */
    public StampSender ssid(int id) {
        this.ssid = id;
        return this;
    }

    /** The provisioned binary; fails the test with how to provision it when it is not there. */
    public static Path binary() {
        Path bin = Path.of(Exec.of("bash", Repo.path(SCRIPT).toString(), "path")
                .run()
                .orThrow()
                .stdout()
                .strip());
        if (!Files.isExecutable(bin)) {
            throw new AssertionError(bin + " is missing; run `bash " + SCRIPT + " provision`"
                    + " (test-all.sh does) to build it from crates.io");
        }
        return bin;
    }

    /** The whole command line, for a ProcessBuilder. */
    public List<String> command() {
        List<String> c = new ArrayList<>();
        c.add(binary().toString());
        c.addAll(List.of("--remote-addr", host, "--remote-port", Integer.toString(port)));
        c.addAll(List.of("--local-addr", localAddressFor(host), "--local-port", Integer.toString(localPort)));
        c.addAll(List.of("--count", Integer.toString(count)));
        c.addAll(List.of("--send-delay", interval.toNanos() / 1000 + "us"));
        c.addAll(List.of("--timeout", Integer.toString(timeoutSeconds)));
        if (ssid != 0) {
            c.addAll(List.of("--ssid", Integer.toString(ssid)));
        }
        c.addAll(List.of("--output-format", "json", "-R"));
        return c;
    }

    // The tool binds 0.0.0.0 by default, which cannot reach an IPv6 reflector.
    private static String localAddressFor(String host) {
        return host.contains(":") ? "::" : "0.0.0.0";
    }

    /**
     * Runs it to the end: the last probe plus the reply timeout. A non-zero exit (bad options, no
     * socket) fails the test with everything the tool said.
     */
    public Report run() {
        Duration limit = interval.multipliedBy(count).plusSeconds(timeoutSeconds + 30L);
        // RUST_LOG=off leaves stderr to the -R lines; NO_COLOR keeps escape codes out of any error.
        Exec.Result r = Exec.of(command())
                .env(Map.of("RUST_LOG", "off", "NO_COLOR", "1"))
                .timeout(limit)
                .run()
                .orThrow();
        return Report.parse(r.stdout(), r.stderr());
    }

    /**
     * What one run reported.
     *
     * @param sent probes sent
     * @param received probes answered (first reply to each)
     * @param lost probes with no reply within the timeout
     * @param minRttMs smallest round-trip time, or NaN without replies
     * @param maxRttMs largest round-trip time, or NaN without replies
     * @param replies the accepted replies in arrival order
     * @param summary the tool's whole JSON summary, for anything else
     */
    public record Report(
            long sent,
            long received,
            long lost,
            double minRttMs,
            double maxRttMs,
            List<Reply> replies,
            JsonNode summary) {

        /** The last {@code "type":"summary"} object on stdout (newline-delimited JSON) and the -R lines. */
        static Report parse(String stdout, String stderr) {
            JsonNode summary = stdout.lines()
                    .filter(l -> l.startsWith("{"))
                    .map(Report::readJson)
                    .filter(n -> "summary".equals(n.path("type").asText()))
                    .reduce((first, second) -> second)
                    .orElseThrow(() -> new AssertionError(
                            "stamp-suite printed no JSON summary\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr));
            List<Reply> replies = new ArrayList<>();
            stderr.lines().forEach(l -> {
                Matcher m = REPLY.matcher(l);
                if (m.find()) {
                    replies.add(new Reply(
                            Long.parseLong(m.group(1)), Double.parseDouble(m.group(2)), Integer.parseInt(m.group(3))));
                }
            });
            return new Report(
                    summary.path("packets_sent").asLong(),
                    summary.path("packets_received").asLong(),
                    summary.path("packets_lost").asLong(),
                    millis(summary, "min_rtt_ms"),
                    millis(summary, "max_rtt_ms"),
                    List.copyOf(replies),
                    summary);
        }

        // The tool writes null for a figure it has no sample for.
        private static double millis(JsonNode summary, String field) {
            JsonNode n = summary.path(field);
            return n.isNumber() ? n.doubleValue() : Double.NaN;
        }

        private static JsonNode readJson(String line) {
            try {
                return JSON.readTree(line);
            } catch (IOException e) {
                throw new UncheckedIOException("stamp-suite printed a line that is not JSON: " + line, e);
            }
        }
    }

    /**
     * One accepted reply, as {@code -R} prints it.
     *
     * @param seq the Session-Sender Sequence Number the reflector copied back
     * @param rttMs round-trip time (microsecond resolution)
     * @param ttl the reply's IP TTL / hop limit as received
     */
    public record Reply(long seq, double rttMs, int ttl) {}
}
