package io.packetparamedic.reflector.governance;

import io.packetparamedic.api.config.ReflectorConfig;

/**
 * The limits that apply to one peer right now: the global quotas, with the peer's own overrides
 * from {@code [[access.peers]]} where it has any. Resolved per request, so a config change applies
 * to the next request.
 */
public record PeerLimits(int cooldownSec, int maxTestsPerHour, long maxBytesPerDay) {

    public static PeerLimits resolve(ReflectorConfig config, String peerId) {
        ReflectorConfig.Quotas q = config.quotas;
        int perHour = q.maxTestsPerHourPerPeer;
        long perDay = q.maxBytesPerDayPerPeer;
        for (ReflectorConfig.Peer peer : config.access.peers) {
            if (peer.endpointId != null && peer.endpointId.equalsIgnoreCase(peerId)) {
                if (peer.maxTestsPerHourPerPeer != null) perHour = peer.maxTestsPerHourPerPeer;
                if (peer.maxBytesPerDayPerPeer != null) perDay = peer.maxBytesPerDayPerPeer;
                break;
            }
        }
        return new PeerLimits(q.cooldownSec, perHour, perDay);
    }
}
