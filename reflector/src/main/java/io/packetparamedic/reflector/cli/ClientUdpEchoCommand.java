package io.packetparamedic.reflector.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.packetparamedic.reflector.client.UdpEchoProbe;
import io.packetparamedic.reflector.wire.LinkCodec;
import io.packetparamedic.reflector.wire.Payload;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code reflector client udp-echo}: request a UDP echo session, send timestamped probes at a
 * fixed interval, and report loss, RTT min/avg/p50/p99 and jitter.
 */
@Command(name = "udp-echo", mixinStandardHelpOptions = true,
        description = "Measure round trips through a UDP echo session: loss, RTT min/avg/p50/p99, jitter.")
final class ClientUdpEchoCommand extends ClientCommand.Action {

    @Option(names = {"-n", "--count"}, defaultValue = "500", description = "Probes to send (default: ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--interval-ms", defaultValue = "10",
            description = "Milliseconds between probes (default: ${DEFAULT-VALUE}).")
    int intervalMs;

    @Option(names = "--size", defaultValue = "64", description = "Probe size in bytes, at least 16 (default: ${DEFAULT-VALUE}).")
    int size;

    @Override
    public Integer call() {
        int duration = (int) Math.ceil(count * (double) intervalMs / 1000.0) + 2;
        String host = client.serverAddress().getHostString();
        UdpEchoProbe.Result[] result = new UdpEchoProbe.Result[1];
        Integer exit = client.withConnection(err(), c -> {
            Payload answer = c.sessionRequest("udp_echo", new Payload.SessionParams(duration, null, null, null));
            if (answer instanceof Payload.SessionDeny deny) {
                err().println("error: udp_echo denied: " + deny.reason() + ": " + deny.message()
                        + (deny.retryAfterSec() == null ? "" : " (retry in " + deny.retryAfterSec() + " s)"));
                err().flush();
                return 1;
            }
            Payload.SessionGrant grant = (Payload.SessionGrant) answer;
            if (grant.port() <= 0 || grant.port() > 65535) {
                c.sessionClose(grant.testId());
                throw new CliFailure("the reflector granted udp_echo session " + grant.testId() + " but named no usable data port ("
                        + grant.port() + "); the session was closed. The reflector is misconfigured: ask its operator to check "
                        + "its data port range and its log for this session");
            }
            err().println("udp_echo: session " + grant.testId() + " on port " + grant.port());
            err().flush();
            try {
                result[0] = new UdpEchoProbe(new InetSocketAddress(host, grant.port()))
                        .run(count, intervalMs * 1000, size, 1000, sent -> {
                            err().print("\rudp_echo: " + sent + "/" + count + " probes");
                            err().flush();
                        });
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            } catch (IOException e) {
                // A UDP failure is not the control connection's: say what failed, then release the session.
                err().println();
                c.sessionClose(grant.testId());
                throw new CliFailure("sending UDP probes to " + host + ":" + grant.port() + " failed: " + e.getMessage()
                        + " (session " + grant.testId() + " closed)");
            }
            err().println();
            c.sessionClose(grant.testId());
            return 0;
        });
        if (exit != 0) return exit;
        UdpEchoProbe.Result r = result[0];
        PrintWriter out = out();
        if (client.json) {
            try {
                out.println(LinkCodec.MAPPER.writeValueAsString(r));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        } else {
            out.println(String.format(Locale.ROOT, "Probes:   %d sent, %d received, %d corrupted, %.2f %% loss",
                    r.sent(), r.received(), r.corrupted(), r.lossPercent()));
            out.println(String.format(Locale.ROOT, "RTT ms:   min %.3f  avg %.3f  p50 %.3f  p99 %.3f",
                    r.rttMinMs(), r.rttAvgMs(), r.rttP50Ms(), r.rttP99Ms()));
            out.println(String.format(Locale.ROOT, "Jitter:   %.3f ms", r.jitterMs()));
        }
        out.flush();
        return 0;
    }
}
