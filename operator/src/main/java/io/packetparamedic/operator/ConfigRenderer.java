package io.packetparamedic.operator;

import io.packetparamedic.api.config.ConfigLoader;
import io.packetparamedic.api.config.ReflectorConfig;
import io.packetparamedic.api.crd.ReflectorInstanceSpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders the reflector's {@code reflector.toml} for one instance: the spec, the AuthorizedPeers
 * in effect for it, and its open pairing codes — the same file format the standalone reflector
 * reads, produced by the same {@link ConfigLoader}. The output depends only on its inputs and is
 * ordered, so an unchanged input renders byte-identical TOML and the Secret is not rewritten.
 */
public final class ConfigRenderer {

    /** Where the reflector keeps its audit log and state inside the pod (an emptyDir). */
    public static final String DATA_DIR = "/var/lib/reflector";

    /** An open pairing code with its window (namespace/name) and closing time. */
    public record OpenCode(String code, String expiresAt, String window) {}

    private ConfigRenderer() {}

    /** The config of a Single instance: no fleet. */
    public static ReflectorConfig config(EffectiveSpec s, List<PeerInEffect> peersInEffect, List<OpenCode> codes) {
        return config(s, peersInEffect, codes, List.of());
    }

    /** {@code fleet}: the fleet's reflectors ({@link FleetMembers}); none leaves the section out. */
    public static ReflectorConfig config(
            EffectiveSpec s,
            List<PeerInEffect> peersInEffect,
            List<OpenCode> codes,
            List<ReflectorConfig.FleetMember> fleet) {
        ReflectorConfig c = new ReflectorConfig();
        c.identity.privateKeyPath = DATA_DIR + "/identity.ed25519";
        c.network.listenAddress = "0.0.0.0:" + s.controlPort();
        c.network.listenAddressHealth = "0.0.0.0:" + s.healthPort();
        c.network.mode = s.mode();
        c.network.dataPortRangeStart = s.dataPortStart();
        c.network.dataPortRangeEnd = s.dataPortEnd();
        c.network.advertisedAddress = s.advertisedAddress().orElse(null);
        c.network.requireAlpn = s.requireAlpn();
        c.network.drainTimeoutSec = s.drainTimeoutSec();

        ReflectorInstanceSpec.Quotas q = s.spec().quotas;
        if (q != null) {
            if (q.maxTestDurationSec != null) c.quotas.maxTestDurationSec = q.maxTestDurationSec;
            if (q.maxConcurrentTests != null) c.quotas.maxConcurrentTests = q.maxConcurrentTests;
            if (q.maxTestsPerHourPerPeer != null) c.quotas.maxTestsPerHourPerPeer = q.maxTestsPerHourPerPeer;
            if (q.maxBytesPerDayPerPeer != null) c.quotas.maxBytesPerDayPerPeer = q.maxBytesPerDayPerPeer;
            if (q.cooldownSec != null) c.quotas.cooldownSec = q.cooldownSec;
            if (q.allowUdpEcho != null) c.quotas.allowUdpEcho = q.allowUdpEcho;
            if (q.allowThroughput != null) c.quotas.allowThroughput = q.allowThroughput;
            if (q.udpEchoMaxPacketRate != null) c.quotas.udpEchoMaxPacketRate = q.udpEchoMaxPacketRate;
        }
        ReflectorInstanceSpec.Iperf3 i = s.spec().iperf3;
        if (i != null) {
            if (i.maxStreams != null) c.iperf3.maxStreams = i.maxStreams;
            if (i.defaultStreams != null) c.iperf3.defaultStreams = i.defaultStreams;
            // A spec that only lowers maxStreams keeps the config loadable.
            if (i.defaultStreams == null)
                c.iperf3.defaultStreams = Math.min(c.iperf3.defaultStreams, c.iperf3.maxStreams);
        }
        c.logging.level = s.logLevel();
        c.logging.auditLogPath = DATA_DIR + "/audit.jsonl";
        c.state.dataDir = DATA_DIR;

        c.access.peers = peers(peersInEffect);
        c.access.pairingCodes = codes.stream()
                .sorted(Comparator.comparing(OpenCode::window))
                .map(o -> new ReflectorConfig.PairingCode(o.code(), o.expiresAt(), o.window()))
                .toList();
        c.access.pairingEnabled = !c.access.pairingCodes.isEmpty();
        if (!fleet.isEmpty()) {
            c.fleet = new ReflectorConfig.Fleet();
            c.fleet.members = fleet;
        }
        return c;
    }

    public static String render(EffectiveSpec s, List<PeerInEffect> peersInEffect, List<OpenCode> codes) {
        return render(s, peersInEffect, codes, List.of());
    }

    public static String render(
            EffectiveSpec s,
            List<PeerInEffect> peersInEffect,
            List<OpenCode> codes,
            List<ReflectorConfig.FleetMember> fleet) {
        return ConfigLoader.render(config(s, peersInEffect, codes, fleet));
    }

    /**
     * Every peer goes to {@code access.peers} (named after its AuthorizedPeer, so the reflector
     * knows whose status to update), with its quota overrides. One Endpoint ID listed by several
     * AuthorizedPeers appears once: the alphabetically first resource wins.
     */
    static List<ReflectorConfig.Peer> peers(List<PeerInEffect> peers) {
        Map<String, ReflectorConfig.Peer> byId = new LinkedHashMap<>();
        peers.stream()
                .sorted(Comparator.comparing(PeerInEffect::name))
                .forEach(p -> byId.computeIfAbsent(p.endpointId().toString(), k -> {
                    ReflectorConfig.Peer entry = new ReflectorConfig.Peer(k, p.name());
                    var quotas = p.peer().getSpec().quotas;
                    if (quotas != null) {
                        entry.maxTestsPerHourPerPeer = quotas.maxTestsPerHourPerPeer;
                        entry.maxBytesPerDayPerPeer = quotas.maxBytesPerDayPerPeer;
                    }
                    return entry;
                }));
        List<ReflectorConfig.Peer> sorted = new ArrayList<>(byId.values());
        sorted.sort(Comparator.comparing(e -> e.endpointId));
        return sorted;
    }
}
