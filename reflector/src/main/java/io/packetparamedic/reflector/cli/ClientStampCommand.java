package io.packetparamedic.reflector.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.packetparamedic.reflector.client.SessionRefused;
import io.packetparamedic.reflector.client.SessionRequester;
import io.packetparamedic.reflector.client.StampSender;
import io.packetparamedic.reflector.client.StampTest;
import io.packetparamedic.reflector.engine.StampPacket;
import io.packetparamedic.reflector.wire.LinkCodec;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code reflector client stamp}: an RFC 8762 Session-Sender (unauthenticated, or authenticated with
 * {@code --auth}) through a granted
 * {@code stamp} session; prints loss, the round trip without the reflector's residence, the
 * forward and backward delays (clock offset included) and what the reflector said about its clock.
 * Exits 0 when at least one test packet was answered.
 */
@Command(
        name = "stamp",
        mixinStandardHelpOptions = true,
        description =
                "Measure with STAMP (RFC 8762, unauthenticated or --auth): loss, round trip without the reflector's "
                        + "residence, forward/backward delay, through a granted stamp session.")
final class ClientStampCommand extends ClientCommand.Action {

    @Option(
            names = {"-n", "--count"},
            defaultValue = "100",
            description = "Test packets to send (default: ${DEFAULT-VALUE}).")
    int count;

    @Option(
            names = "--interval-ms",
            defaultValue = "10",
            description = "Milliseconds between test packets (default: ${DEFAULT-VALUE}).")
    int intervalMs;

    @Option(
            names = "--padding",
            defaultValue = "0",
            description = "Octets of Extra Padding TLV per test packet, 0-" + StampSender.MAX_PADDING
                    + " (default: ${DEFAULT-VALUE}).")
    int padding;

    @Option(
            names = "--wait-ms",
            defaultValue = "1000",
            description = "How long to wait for answers after the last test packet (default: ${DEFAULT-VALUE}).")
    long waitMs;

    @Option(
            names = "--auth",
            description =
                    "Authenticated mode (RFC 8762 section 4.2.2): HMAC-SHA-256 keyed from this connection's TLS 1.3 "
                            + "exporter; answers whose HMAC does not verify are not counted. Needs an exporter on both "
                            + "ends (Java 25, or --tls-provider bc here and network.tls_provider = \"bc\" on the reflector).")
    boolean auth;

    @Option(
            names = "--max-wait",
            paramLabel = "SECONDS",
            defaultValue = "75",
            description = "Longest wait for a busy reflector or its cooldown, with a countdown "
                    + "(default: ${DEFAULT-VALUE}; 0 = never wait).")
    int maxWaitSec;

    @Override
    public Integer call() {
        StampSender.Settings settings;
        try {
            settings = StampSender.Settings.of(count, intervalMs, padding, waitMs, auth);
            if (maxWaitSec < 0 || maxWaitSec > 3600) {
                throw new IllegalArgumentException("--max-wait must be 0-3600 seconds, got " + maxWaitSec);
            }
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        String host = client.serverAddress().getHostString();
        ProgressPrinter progress = new ProgressPrinter(err(), System.console() != null);
        StampTest.Outcome outcome = client.withConnection(err(), link -> {
            SessionRequester sessions = new SessionRequester(link, Duration.ofSeconds(maxWaitSec), progress);
            try {
                return new StampTest(sessions, host, link.keyingMaterial()).run(settings, (grant, s) -> {
                    progress.end();
                    err().printf(
                                    Locale.ROOT,
                                    "stamp: session %s on port %d, %d test packets of %d octets every %d ms%s%n",
                                    grant.testId(),
                                    grant.port(),
                                    s.count(),
                                    s.packetLength(),
                                    s.intervalMillis(),
                                    s.authenticated() ? ", authenticated" : "");
                    err().flush();
                });
            } catch (SessionRefused e) {
                throw new CliFailure(e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CliFailure("interrupted");
            }
        });
        progress.end();
        print(out(), outcome);
        return outcome.result().received() > 0 ? 0 : 1;
    }

    private void print(PrintWriter out, StampTest.Outcome outcome) {
        StampSender.Result r = outcome.result();
        if (client.json) {
            try {
                out.println(LinkCodec.MAPPER.writeValueAsString(outcome));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot encode the STAMP result", e);
            }
        } else {
            out.printf(
                    Locale.ROOT,
                    "Packets:     sent %d, answered %d, lost %.1f %%, invalid answers %d%n",
                    r.sent(),
                    r.received(),
                    r.lossPercent(),
                    r.invalid());
            out.printf(
                    Locale.ROOT,
                    "Round trip:  min %.3f  p50 %.3f  p99 %.3f  max %.3f ms  ((T4-T1)-(T3-T2))%n",
                    r.rttMinMs(),
                    r.rttP50Ms(),
                    r.rttP99Ms(),
                    r.rttMaxMs());
            out.printf(
                    Locale.ROOT,
                    "One way:     forward p50 %.3f ms (T2-T1), backward p50 %.3f ms (T4-T3); "
                            + "both include the offset between the clocks%n",
                    r.forwardP50Ms(),
                    r.backwardP50Ms());
            out.printf(
                    Locale.ROOT,
                    "Reflector:   answered %d in this session, residence max %.1f us, clock %s, %s timestamps%n",
                    r.reflectorPacketsCounted(),
                    r.residenceMaxMicros(),
                    syncSource(r.reflectorSync()),
                    r.reflectorTimestamps() == StampPacket.TIMESTAMP_METHOD_SW_LOCAL
                            ? "software"
                            : "method " + r.reflectorTimestamps());
            if (r.authenticated()) {
                out.printf(
                        Locale.ROOT,
                        "Auth:        HMAC-SHA-256 keyed from the TLS exporter; %d answers failed HMAC verification, "
                                + "%d TLVs flagged by the reflector's integrity check%n",
                        r.hmacFailures(),
                        r.tlvsIntegrityFlagged());
            }
            if (r.tlvsUnrecognized() + r.tlvsMalformed() > 0) {
                out.printf(
                        Locale.ROOT,
                        "TLVs:        %d flagged unrecognized, %d flagged malformed by the reflector%n",
                        r.tlvsUnrecognized(),
                        r.tlvsMalformed());
            }
        }
        out.flush();
    }

    private static String syncSource(int code) {
        return code == StampPacket.SYNC_SOURCE_LOCAL_FREE_RUNNING ? "local free-running" : "sync source " + code;
    }
}
