package io.packetparamedic.e2e.tests;

import io.packetparamedic.e2e.harness.ReflectorProcess;
import io.packetparamedic.reflector.client.LinkClient;
import io.packetparamedic.reflector.client.ThroughputRunner;
import io.packetparamedic.reflector.client.UdpEchoProbe;
import io.packetparamedic.reflector.wire.Payload;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One appliance doing what the deployed field client does (shared/spec FIELD-CLIENT.md, "The
 * speed test"): connect and hello, an upload then a download throughput session of 4 streams on
 * one connection, iperf3 started 500 ms after each grant, no session_close, the connection
 * dropped at the end; then, on a second connection, a short UDP echo session closed properly.
 * {@code busy} and {@code rate_limited} are waited out as the field client's user would retry.
 */
final class FieldAppliance {

    /** How one cycle ended. */
    enum Outcome {
        OK,
        GAVE_UP_BUSY,
        FAILED
    }

    private static final int STREAMS = 4;
    private static final int ECHO_PROBES = 200;
    private static final int ECHO_INTERVAL_MICROS = 10_000;
    private static final Duration GIVE_UP_AFTER = Duration.ofSeconds(90);

    private final Appliance appliance = new Appliance();
    private final ThroughputRunner iperf3;
    private final int testSeconds;

    /** @param iperf3 the client side's iperf3 (the soak's paced wrapper) */
    FieldAppliance(ThroughputRunner iperf3, int testSeconds) {
        this.iperf3 = iperf3;
        this.testSeconds = testSeconds;
    }

    Appliance appliance() {
        return appliance;
    }

    /** One speed test and one UDP echo run; {@code failure} gets what went wrong, if anything. */
    Outcome cycle(ReflectorProcess reflector, StringBuilder failure) throws InterruptedException {
        try {
            try (LinkClient c = appliance.connect(reflector)) {
                c.hello();
                for (boolean reverse : new boolean[] {false, true}) {
                    Payload.SessionGrant grant =
                            request(c, "throughput", new Payload.SessionParams(testSeconds, "tcp", STREAMS, reverse));
                    if (grant == null) return Outcome.GAVE_UP_BUSY;
                    TimeUnit.MILLISECONDS.sleep(500); // the field client's pause before iperf3
                    ThroughputRunner.Result r =
                            iperf3.run("127.0.0.1", grant.port(), testSeconds, STREAMS, reverse, null);
                    if (!r.ok() || r.bytes() <= 0) {
                        failure.append("iperf3 ")
                                .append(reverse ? "download" : "upload")
                                .append(": exit ")
                                .append(r.exitCode())
                                .append(' ')
                                .append(r.error());
                        return Outcome.FAILED;
                    }
                }
            }
            try (LinkClient c = appliance.connect(reflector)) {
                c.hello();
                int seconds = ECHO_PROBES * ECHO_INTERVAL_MICROS / 1_000_000 + 3;
                Payload.SessionGrant grant =
                        request(c, "udp_echo", new Payload.SessionParams(seconds, "udp", null, null));
                if (grant == null) return Outcome.GAVE_UP_BUSY;
                UdpEchoProbe.Result r = new UdpEchoProbe(new InetSocketAddress("127.0.0.1", grant.port()))
                        .run(ECHO_PROBES, ECHO_INTERVAL_MICROS, 64, 1000, null);
                c.sessionClose(grant.testId());
                if (r.received() == 0 || r.corrupted() > 0) {
                    failure.append("udp echo: received ")
                            .append(r.received())
                            .append(", corrupted ")
                            .append(r.corrupted());
                    return Outcome.FAILED;
                }
            }
            return Outcome.OK;
        } catch (IOException | RuntimeException e) {
            failure.append(e.getClass().getSimpleName()).append(": ").append(e.getMessage());
            return Outcome.FAILED;
        }
    }

    /** The grant, waiting out transient denials; null after {@link #GIVE_UP_AFTER}. */
    private static Payload.SessionGrant request(LinkClient c, String type, Payload.SessionParams params)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + GIVE_UP_AFTER.toNanos();
        while (true) {
            Payload answer = c.sessionRequest(type, params);
            if (answer instanceof Payload.SessionGrant g) return g;
            if (!(answer instanceof Payload.SessionDeny deny)) {
                throw new IllegalStateException(type + ": unexpected answer " + answer);
            }
            if (!"busy".equals(deny.reason()) && !"rate_limited".equals(deny.reason())) {
                throw new IllegalStateException(type + " denied: " + deny.reason() + " " + deny.message());
            }
            if (System.nanoTime() > deadline) return null;
            long wait = deny.retryAfterSec() == null ? 1 : Math.max(1, deny.retryAfterSec());
            TimeUnit.SECONDS.sleep(Math.min(wait, 10));
        }
    }
}
