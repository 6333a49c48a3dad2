package io.packetparamedic.reflector.selftest;

import io.packetparamedic.reflector.build.BuildInfo;
import io.packetparamedic.reflector.rpc.PathMetaSource;
import io.packetparamedic.reflector.wire.Payload;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * {@code path_meta} from real host figures ({@link HostFacts}) and this build's version and
 * commit. Clock synchronisation costs a process start, so its answer is kept for a minute.
 */
public final class HostPathMeta implements PathMetaSource {

    private static final long CLOCK_CACHE_NANOS = 60_000_000_000L;

    private final BuildInfo build;
    private volatile boolean clockSynced;
    private volatile long clockCheckedAt;
    private volatile boolean clockChecked;

    public HostPathMeta() {
        this(BuildInfo.current());
    }

    public HostPathMeta(BuildInfo build) {
        this.build = build;
    }

    @Override
    public Payload.PathMeta pathMeta(InetSocketAddress peer) {
        long[] memory = HostFacts.memoryTotalAndAvailableMb().orElse(new long[] {0, 0});
        List<Double> load = HostFacts.loadAverages();
        return new Payload.PathMeta(
                round(HostFacts.cpuLoad()),
                memory[0] - memory[1],
                memory[0],
                load.isEmpty() ? null : load,
                HostFacts.mtuToward(peer == null ? null : peer.getAddress()),
                clockSynced(),
                build.version(),
                build.commit());
    }

    private boolean clockSynced() {
        long now = System.nanoTime();
        if (!clockChecked || now - clockCheckedAt > CLOCK_CACHE_NANOS) {
            clockSynced = HostFacts.clockSynchronized();
            clockCheckedAt = now;
            clockChecked = true;
        }
        return clockSynced;
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
