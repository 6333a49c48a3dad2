package io.packetparamedic.reflector.kube;

import io.packetparamedic.api.crd.AuthorizedPeerStatus;
import io.packetparamedic.api.crd.NodeReport;
import io.packetparamedic.api.crd.PairingWindowStatus;
import io.packetparamedic.api.crd.ReflectorInstanceStatus;
import java.util.ArrayList;
import java.util.List;

/**
 * The pod-owned parts of the three statuses as comparable values: the reporter writes an object
 * only when its value changed (or, for the instance, when the heartbeat is due).
 */
final class StatusReports {

    private StatusReports() {}

    record Session(String testId, String peer, String type, int port, String started, String expires) {}

    /** The instance's (pod) fields except the heartbeat time, which every write refreshes. */
    record Instance(
            String reportedEndpointId,
            String node,
            String advertisedAddress,
            int activeSessionCount,
            List<Session> activeSessions,
            int testsLastHour,
            long bytesToday,
            int connectedPeers,
            String appliedConfigHash) {

        ReflectorInstanceStatus toStatus(String heartbeat) {
            ReflectorInstanceStatus s = new ReflectorInstanceStatus();
            s.lastHeartbeat = heartbeat;
            s.reportedEndpointId = reportedEndpointId;
            s.node = node;
            s.advertisedAddress = advertisedAddress;
            s.activeSessionCount = activeSessionCount;
            List<ReflectorInstanceStatus.ActiveSession> list = new ArrayList<>();
            for (Session x : activeSessions) {
                ReflectorInstanceStatus.ActiveSession a = new ReflectorInstanceStatus.ActiveSession();
                a.testId = x.testId();
                a.peer = x.peer();
                a.type = x.type();
                a.port = x.port();
                a.started = x.started();
                a.expires = x.expires();
                list.add(a);
            }
            s.activeSessions = list;
            s.testsLastHour = testsLastHour;
            s.bytesToday = bytesToday;
            s.connectedPeers = connectedPeers;
            s.appliedConfigHash = appliedConfigHash;
            return s;
        }

        /** The same report as one node's entry of a PerNode instance (status.nodeReports). */
        NodeReport toNodeReport(String heartbeat) {
            NodeReport r = new NodeReport();
            r.lastHeartbeat = heartbeat;
            r.reportedEndpointId = reportedEndpointId;
            r.advertisedAddress = advertisedAddress;
            r.activeSessionCount = activeSessionCount;
            r.appliedConfigHash = appliedConfigHash;
            return r;
        }
    }

    /** An AuthorizedPeer's (pod) fields. */
    record Peer(String lastSeenTime, String lastAddress, int testsLastHour, long bytesToday, long totalSessions) {

        AuthorizedPeerStatus toStatus() {
            AuthorizedPeerStatus s = new AuthorizedPeerStatus();
            s.lastSeenTime = lastSeenTime;
            s.lastAddress = lastAddress;
            s.testsLastHour = testsLastHour;
            s.bytesToday = bytesToday;
            s.totalSessions = totalSessions;
            return s;
        }

        static Peer of(AuthorizedPeerStatus s) {
            return new Peer(
                    s.lastSeenTime,
                    s.lastAddress,
                    s.testsLastHour == null ? 0 : s.testsLastHour,
                    s.bytesToday == null ? 0 : s.bytesToday,
                    s.totalSessions == null ? 0 : s.totalSessions);
        }
    }

    /** A PairingWindow's (pod) fields: who paired, when. */
    record Pairing(String pairedEndpointId, String pairedAt) {

        PairingWindowStatus toStatus() {
            PairingWindowStatus s = new PairingWindowStatus();
            s.pairedEndpointId = pairedEndpointId;
            s.pairedAt = pairedAt;
            return s;
        }
    }
}
