package io.packetparamedic.reflector.session;

import io.packetparamedic.api.config.ReflectorConfig;
import io.packetparamedic.reflector.audit.AuditLog;
import io.packetparamedic.reflector.engine.PortAllocator;
import io.packetparamedic.reflector.engine.StampEngine;
import io.packetparamedic.reflector.engine.ThroughputEngine;
import io.packetparamedic.reflector.engine.UdpEchoEngine;
import io.packetparamedic.reflector.governance.Governance;
import io.packetparamedic.reflector.governance.GovernanceStore;
import io.packetparamedic.reflector.governance.SteadyClock;
import java.time.Clock;
import java.util.function.Supplier;

/**
 * The session layer of a reflector: a {@link SessionManager} with the iperf3, UDP echo and STAMP engines
 * and governance state in the data directory's {@code governance.json} (standalone mode) or in
 * memory only (when status lives elsewhere, e.g. Kubernetes; seed it through
 * {@link #governance()}). {@code runtime.ReflectorRuntime} builds one for both modes; closing it
 * stops every session and engine.
 */
public final class SessionLayer implements AutoCloseable {

    private final GovernanceStore store;
    private final ThroughputEngine throughput;
    private final UdpEchoEngine udpEcho;
    private final StampEngine stamp;
    private final SessionManager manager;

    private SessionLayer(Supplier<ReflectorConfig> config, AuditLog audit, boolean persist, Clock clock) {
        ReflectorConfig initial = config.get();
        this.store = persist ? GovernanceStore.inDataDir(initial.dataDir()) : null;
        this.throughput = new ThroughputEngine(() -> config.get().iperf3.path);
        Supplier<UdpEchoEngine.Settings> echoSettings = () -> echoSettings(config.get());
        this.udpEcho = new UdpEchoEngine(echoSettings);
        this.stamp = new StampEngine(echoSettings);
        this.manager = new SessionManager(
                config, new Governance(clock, store), audit, throughput, udpEcho, stamp, new PortAllocator());
    }

    /**
     * The echo and STAMP settings of {@code config}; {@code network.data_path}: anything but
     * {@code netty} lets a session use the native path.
     */
    static UdpEchoEngine.Settings echoSettings(ReflectorConfig config) {
        return new UdpEchoEngine.Settings(
                config.quotas.udpEchoMaxPacketRate,
                config.network.udpEchoSourceCheck,
                !"netty".equals(config.network.dataPath),
                config.network.busyPollUs);
    }

    /**
     * @param config the live configuration (quota changes apply to the next request)
     * @param persist keep governance in {@code <data dir>/governance.json} across restarts
     */
    public static SessionLayer create(Supplier<ReflectorConfig> config, AuditLog audit, boolean persist) {
        // Steady: cooldowns, the rolling hour and session expiry must not move with a clock step.
        return new SessionLayer(config, audit, persist, SteadyClock.system());
    }

    public SessionManager manager() {
        return manager;
    }

    public Governance governance() {
        return manager.governance();
    }

    public boolean udpEchoNative() {
        return udpEcho.nativeTransport();
    }

    @Override
    public void close() {
        manager.close();
        throughput.close();
        udpEcho.close();
        stamp.close();
        if (store != null) store.close();
    }
}
