package io.packetparamedic.reflector.server;

import io.netty.channel.Channel;
import io.packetparamedic.reflector.metrics.ReflectorMetrics;
import io.packetparamedic.reflector.wire.Addresses;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records a connection refused or dropped before it was authenticated. An attacker can cause
 * these by the thousand per second, so each one is only counted ({@code
 * reflector_connections_refused_total{reason}}); one line per reason per ten seconds reaches the
 * log, saying how many were not logged; none reaches the audit log, which would otherwise be the
 * thing the flood fills.
 */
final class PreAuthRefusals {

    static final String SOURCE_LIMIT = "source_limit";
    static final String UNAUTHENTICATED_LIMIT = "unauthenticated_limit";
    static final String FIRST_BYTE_TIMEOUT = "first_byte_timeout";

    private static final Logger LOG = LoggerFactory.getLogger("io.packetparamedic.reflector.connections");

    private final ReflectorMetrics metrics;
    private final ConnectionAuditor auditor;
    private final Map<String, LogThrottle> throttles = new HashMap<>();

    PreAuthRefusals(ReflectorMetrics metrics, ConnectionAuditor auditor) {
        this.metrics = metrics;
        this.auditor = auditor;
        for (String reason : ReflectorMetrics.REFUSAL_REASONS) throttles.put(reason, new LogThrottle());
    }

    /**
     * Counts the refusal and logs it if its reason has not been logged for a while; the caller closes.
     *
     * @param reason one of {@link ReflectorMetrics#REFUSAL_REASONS}
     * @param limit the limit that was reached, for the log line
     */
    void refuse(Channel channel, String reason, long limit) {
        auditor.counted(channel);
        metrics.connectionRefused(reason);
        long notLogged = throttles.get(reason).admit();
        if (notLogged >= 0) {
            LOG.warn(
                    "event=connection_refused reason={} remote={} limit={} not_logged_since_last={}",
                    reason,
                    Addresses.format(channel.remoteAddress()),
                    limit,
                    notLogged);
        }
    }
}
