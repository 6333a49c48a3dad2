package io.packetparamedic.e2e.tests;

import io.packetparamedic.api.crd.ReflectorInstance;
import io.packetparamedic.api.crd.ReflectorInstanceSpec;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Host ports of its own for one test's ReflectorInstance. The test classes share one cluster and
 * their namespaces outlive them, and the operator marks an instance that shares a host port with
 * an existing one as the newcomer in a PortConflict; so every instance gets a block of 100 ports
 * (data range first, control and health after it), distinct within this JVM and, through a
 * random base, unlikely to meet another run's on this machine. Below the kernel's ephemeral
 * range (32768+), where outgoing connections could hold them.
 */
record InstancePorts(int control, int health, int dataStart, int dataEnd) {

    private static final int BASE = 20_000 + ThreadLocalRandom.current().nextInt(60) * 100;
    private static final AtomicInteger NEXT = new AtomicInteger();

    static InstancePorts next(int dataPorts) {
        if (dataPorts < 1 || dataPorts > 90) throw new IllegalArgumentException("1 to 90 data ports, got " + dataPorts);
        int start = BASE + NEXT.getAndIncrement() * 100;
        return new InstancePorts(start + 90, start + 91, start, start + dataPorts - 1);
    }

    /** The {@code "network": {...}} member of a merge patch of the spec. */
    String networkJson() {
        return "\"network\":{\"controlPort\":" + control + ",\"healthPort\":" + health
                + ",\"dataPortRange\":{\"start\":" + dataStart + ",\"end\":" + dataEnd + "}}";
    }

    ReflectorInstance applyTo(ReflectorInstance instance) {
        ReflectorInstanceSpec spec = instance.getSpec();
        if (spec.network == null) spec.network = new ReflectorInstanceSpec.Network();
        spec.network.controlPort = control;
        spec.network.healthPort = health;
        spec.network.dataPortRange = new ReflectorInstanceSpec.PortRange(dataStart, dataEnd);
        return instance;
    }
}
