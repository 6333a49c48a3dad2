package io.packetparamedic.reflector.kube;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the API server answers at all, as the status writes find out. While it does not, every
 * object waits for one probe write instead of each retrying (and logging) on its own: the status
 * values are absolute figures, so what could not be written is simply the latest value, written
 * once by the first write after the outage — nothing is lost and nothing is counted twice. Probes
 * back off to {@link #MAX_PROBE_INTERVAL}, which bounds how long status lags behind the API's return.
 * Serving never depends on this: peers keep being served with the last configuration received.
 */
final class ApiOutage {

    private static final Logger LOG = LoggerFactory.getLogger(ApiOutage.class);
    static final Duration MAX_PROBE_INTERVAL = Duration.ofSeconds(5);
    private static final long FIRST_PROBE_MS = 250;

    private Instant since;
    private Instant nextProbe = Instant.EPOCH;
    private int failedProbes;

    /** A failure that says nothing about the object: no HTTP answer, or the server not ready. */
    static boolean unreachable(KubernetesClientException e) {
        return e.getCode() <= 0 || e.getCode() == 503 || e.getCode() == 504;
    }

    /** True while writes should wait for the next probe. */
    boolean waiting(Instant now) {
        return since != null && now.isBefore(nextProbe);
    }

    void failed(Instant now, String error) {
        failedProbes++;
        if (since == null) {
            since = now;
            LOG.warn("event=api_unreachable error=\"{}\" status=coalesced_until_reachable", error);
        }
        nextProbe = now.plusMillis(
                Math.min(MAX_PROBE_INTERVAL.toMillis(), FIRST_PROBE_MS << Math.min(failedProbes - 1, 8)));
    }

    /** Returns true when this success ends an outage. */
    boolean succeeded(Instant now) {
        boolean ended = since != null;
        if (ended) {
            LOG.info(
                    "event=api_reachable outage_ms={} failed_probes={}",
                    Duration.between(since, now).toMillis(),
                    failedProbes);
        }
        since = null;
        failedProbes = 0;
        nextProbe = Instant.EPOCH;
        return ended;
    }
}
