package io.packetparamedic.reflector.rpc;

import io.packetparamedic.api.config.ReflectorConfig;
import io.packetparamedic.reflector.wire.Payload;
import java.util.ArrayList;
import java.util.List;

/** The {@code server_hello} this reflector sends, from the current configuration. */
public final class ServerHellos {

    /** Every feature this reflector implements, in the order appliances expect. */
    public static final List<String> FEATURES = List.of("throughput", "udp_echo", "path_meta", "pairing");

    private ServerHellos() {}

    public static Payload.ServerHello of(ReflectorConfig config) {
        return new Payload.ServerHello(Payload.PROTOCOL_VERSION, FEATURES, policySummary(config.quotas), null);
    }

    public static Payload.PolicySummary policySummary(ReflectorConfig.Quotas quotas) {
        List<String> allowed = new ArrayList<>(2);
        if (quotas.allowThroughput) allowed.add("throughput");
        if (quotas.allowUdpEcho) allowed.add("udp_echo");
        return new Payload.PolicySummary(
                quotas.maxTestDurationSec,
                quotas.maxConcurrentTests,
                quotas.maxTestsPerHourPerPeer,
                List.copyOf(allowed));
    }
}
