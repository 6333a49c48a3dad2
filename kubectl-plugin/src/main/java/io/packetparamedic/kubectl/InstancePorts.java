package io.packetparamedic.kubectl;

import io.packetparamedic.api.config.ReflectorConfig;
import io.packetparamedic.api.crd.ReflectorInstanceSpec;
import java.util.Optional;

/** The ports an instance listens on: its spec, or the reflector's defaults where the spec says nothing. */
public record InstancePorts(int control, int health, int dataStart, int dataEnd, String mode, boolean hostNetwork) {

    private static final ReflectorConfig.Network DEFAULTS = new ReflectorConfig().network;

    public static InstancePorts of(ReflectorInstanceSpec spec) {
        Optional<ReflectorInstanceSpec.Network> n = Optional.ofNullable(spec).map(s -> s.network);
        Optional<ReflectorInstanceSpec.PortRange> data = n.map(x -> x.dataPortRange);
        return new InstancePorts(
                n.map(x -> x.controlPort).orElse(port(DEFAULTS.listenAddress)),
                n.map(x -> x.healthPort).orElse(port(DEFAULTS.listenAddressHealth)),
                data.map(r -> r.start).orElse(DEFAULTS.dataPortRangeStart),
                data.map(r -> r.end).orElse(DEFAULTS.dataPortRangeEnd),
                n.map(x -> x.mode).map(Enum::name).orElse(DEFAULTS.mode),
                n.map(x -> x.hostNetwork).orElse(true));
    }

    private static int port(String hostPort) {
        return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
    }

    @Override
    public String toString() {
        return "control " + control + "/tcp, health " + health + "/tcp, data " + dataStart + "-" + dataEnd + " (" + mode
                + (hostNetwork ? ", host network" : ", pod network") + ")";
    }
}
