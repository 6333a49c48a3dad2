package io.packetparamedic.reflector.cli;

import io.packetparamedic.api.identity.EndpointId;
import io.packetparamedic.reflector.admin.AdminOperations;
import io.packetparamedic.reflector.admin.AdminProtocol;
import io.packetparamedic.reflector.auth.Authorizer;
import io.packetparamedic.reflector.auth.OpenPairingWindow;
import io.packetparamedic.reflector.auth.PairingWindowInfo;
import io.packetparamedic.reflector.governance.Governance;
import io.packetparamedic.reflector.governance.PeerFigures;
import io.packetparamedic.reflector.runtime.ReflectorRuntime;
import io.packetparamedic.reflector.server.PeerConnection;
import io.packetparamedic.reflector.wire.Payload;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The admin channel's view of the running standalone reflector: what {@code pair}, {@code status}
 * and {@code peers} act on. {@code configFile} names the configuration in messages.
 */
record LiveServer(ReflectorRuntime reflector, Governance governance, String configFile) implements AdminOperations {

    @Override
    public AdminProtocol.PairingOpened openPairingWindow(Duration ttl, Optional<String> code) {
        PairingWindowInfo w = reflector.openPairingWindow(ttl, code);
        return new AdminProtocol.PairingOpened(
                reflector.endpointId().toString(), w.code(), w.expiresAt().toString());
    }

    @Override
    public AdminProtocol.LiveFigures liveStatus() {
        ReflectorRuntime.LiveStatus s = reflector.liveStatus();
        return new AdminProtocol.LiveFigures(
                s.endpointId().toString(),
                s.uptimeSec(),
                s.connections(),
                s.authorizedPeers(),
                s.pairingWindow().map(LiveServer::openWindow).orElse(null),
                s.activeTest().map(LiveServer::activeTest).orElse(null),
                s.testsToday(),
                s.bytesToday());
    }

    @Override
    public Optional<AdminProtocol.OpenWindow> closePairingWindow() {
        return reflector.authorizer().closeLocalWindow().map(LiveServer::openWindow);
    }

    @Override
    public List<AdminProtocol.Peer> peers() {
        Map<String, PeerFigures> figures = governance.snapshot();
        List<PeerConnection> connections = reflector.connections().all();
        return reflector.authorizer().knownPeers().stream()
                .map(p -> {
                    List<PeerConnection> own = connections.stream()
                            .filter(c -> c.peerId().equals(p.id()))
                            .toList();
                    Optional<PeerFigures> f = Optional.ofNullable(figures.get(p.id().toString()));
                    Optional<Instant> lastSeen = Stream.concat(
                                    own.stream().map(PeerConnection::connectedAt),
                                    f.map(PeerFigures::lastSeen).stream())
                            .filter(Objects::nonNull)
                            .max(Instant::compareTo);
                    return new AdminProtocol.Peer(
                            p.id().toString(),
                            p.name().orElse(null),
                            p.configured() ? (p.paired().isPresent() ? "config+paired" : "config") : "paired",
                            p.paired().map(x -> x.pairedAt()).orElse(null),
                            p.paired().map(x -> x.window()).orElse(null),
                            lastSeen.map(Instant::toString).orElse(null),
                            own.size(),
                            f.map(PeerFigures::testsLastHour).orElse(0),
                            f.map(PeerFigures::bytesToday).orElse(0L));
                })
                .toList();
    }

    @Override
    public AdminProtocol.RemovedPeer removePeer(String nameOrId) throws IOException {
        Authorizer auth = reflector.authorizer();
        EndpointId peer = auth.resolve(nameOrId);
        if (auth.isConfigured(peer)) {
            throw new IllegalStateException("peer " + peer + " is listed in " + configFile
                    + " ([access] authorized_peers or [[access.peers]]); remove it there and the running reflector "
                    + "applies the change");
        }
        int before = (int) reflector.connections().all().stream()
                .filter(c -> c.peerId().equals(peer))
                .count();
        if (!reflector.removePairedPeer(peer)) throw new IllegalArgumentException("peer " + peer + " is not paired");
        return new AdminProtocol.RemovedPeer(peer.toString(), before);
    }

    private static AdminProtocol.OpenWindow openWindow(OpenPairingWindow w) {
        return new AdminProtocol.OpenWindow(
                w.window(), w.expiresAt().map(Object::toString).orElse(null));
    }

    private static AdminProtocol.ActiveTest activeTest(Payload.ActiveTest t) {
        return new AdminProtocol.ActiveTest(t.testId(), t.testType(), t.peerId(), t.startedAt(), t.remainingSec());
    }
}
