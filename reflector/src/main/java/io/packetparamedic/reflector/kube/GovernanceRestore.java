package io.packetparamedic.reflector.kube;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.packetparamedic.api.crd.AuthorizedPeer;
import io.packetparamedic.api.crd.AuthorizedPeerStatus;
import io.packetparamedic.api.identity.EndpointId;
import io.packetparamedic.api.time.Rfc3339;
import io.packetparamedic.reflector.governance.Governance;
import io.packetparamedic.reflector.governance.PeerFigures;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Seeds governance from the AuthorizedPeers' (pod) status when the reflector starts, so that a
 * pod restart or reschedule does not hand anyone a fresh quota.
 *
 * <p>The status carries counts, not the instants behind them, so the seed is conservative: the
 * {@code testsLastHour} tests are placed at the peer's {@code lastSeenTime} (every counted test
 * started at or before it, and the count was taken then), which keeps the peer limited until an
 * hour after it was last seen — never shorter than the true window. A count whose
 * {@code lastSeenTime} is over an hour old has left the window and is dropped; a count without
 * one is placed at "now". {@code bytesToday} is kept when {@code lastSeenTime} falls on today
 * (UTC). {@code totalSessions} carries over as is.
 */
final class GovernanceRestore {

    private static final Logger LOG = LoggerFactory.getLogger(GovernanceRestore.class);

    /** What was read: the status as found (for the reporter) and each peer's Endpoint ID. */
    record Restored(Map<String, StatusReports.Peer> statusByName, Map<String, EndpointId> idByName, int seeded) {}

    private GovernanceRestore() {}

    static Restored fromPeers(KubernetesClient client, String namespace, Governance governance) {
        List<AuthorizedPeer> peers = client.resources(AuthorizedPeer.class)
                .inNamespace(namespace)
                .list()
                .getItems();
        return seed(peers, governance, governance.clock().instant());
    }

    static Restored seed(List<AuthorizedPeer> peers, Governance governance, Instant now) {
        Map<String, StatusReports.Peer> statusByName = new LinkedHashMap<>();
        Map<String, EndpointId> idByName = new LinkedHashMap<>();
        int seeded = 0;
        for (AuthorizedPeer p : peers) {
            AuthorizedPeerStatus st = p.getStatus();
            if (p.getSpec() == null || st == null) continue;
            EndpointId id;
            try {
                id = EndpointId.parse(p.getSpec().endpointId);
            } catch (IllegalArgumentException e) {
                continue;
            }
            String name = p.getMetadata().getName();
            statusByName.put(name, StatusReports.Peer.of(st));
            idByName.put(name, id);
            PeerFigures figures = figures(st, now);
            if (figures == null) continue;
            governance.seed(id.toString(), figures);
            seeded++;
            LOG.info(
                    "event=governance_restored peer={} name={} tests_last_hour={} bytes_today={} total_sessions={}",
                    id,
                    name,
                    figures.testsLastHour(),
                    figures.bytesToday(),
                    figures.totalSessions());
        }
        return new Restored(statusByName, idByName, seeded);
    }

    /** The figures a status stands for as of {@code now}, or null when it carries nothing. */
    static PeerFigures figures(AuthorizedPeerStatus st, Instant now) {
        Instant lastSeen = parse(st.lastSeenTime);
        if (lastSeen != null && lastSeen.isAfter(now)) lastSeen = now; // another node's clock ahead of ours
        int count = st.testsLastHour == null ? 0 : Math.max(0, st.testsLastHour);
        Instant placed = lastSeen != null ? lastSeen : now;
        boolean inWindow = placed.plus(Duration.ofHours(1)).isAfter(now);
        List<Instant> starts = count > 0 && inWindow ? Collections.nCopies(count, placed) : List.of();
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        boolean bytesAreToday = lastSeen != null
                && LocalDate.ofInstant(lastSeen, ZoneOffset.UTC).equals(today);
        long bytes = bytesAreToday && st.bytesToday != null ? Math.max(0, st.bytesToday) : 0;
        long total = st.totalSessions == null ? 0 : Math.max(0, st.totalSessions);
        if (starts.isEmpty() && bytes == 0 && total == 0 && lastSeen == null) return null;
        return new PeerFigures(
                new ArrayList<>(starts),
                starts.isEmpty() ? null : placed,
                null,
                bytes > 0 ? today : null,
                bytes,
                total,
                lastSeen);
    }

    private static Instant parse(String time) {
        return Rfc3339.tryParse(time).orElse(null);
    }
}
