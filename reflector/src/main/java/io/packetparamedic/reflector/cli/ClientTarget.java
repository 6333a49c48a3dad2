package io.packetparamedic.reflector.cli;

import io.packetparamedic.reflector.wire.Addresses;
import java.io.PrintWriter;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * Where {@code reflector client} connects without {@code --server}: with {@code -c FILE} (or
 * {@code --local}) the reflector that configuration describes, at its {@code listen_address};
 * otherwise {@value #DEFAULT}. A wildcard bind (0.0.0.0 or ::) is reached through loopback.
 */
final class ClientTarget {

    static final String DEFAULT = "127.0.0.1:4000";

    private ClientTarget() {}

    static InetSocketAddress defaultServer(ReflectorCli root, PrintWriter err) {
        if (root.configFile == null && !root.local) return Addresses.parse(DEFAULT);
        String listen = root.loadConfig(err).config().network.listenAddress;
        InetSocketAddress address = Addresses.parse(listen);
        if (address.getPort() == 0) {
            throw new CliFailure("the configuration's listen_address " + listen + " has port 0 (the port is chosen "
                    + "when the reflector starts; its banner shows it): give --server HOST:PORT");
        }
        return connectable(address);
    }

    private static final byte[] IPV4_LOOPBACK = {127, 0, 0, 1};
    private static final byte[] IPV6_LOOPBACK = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

    /** {@code 0.0.0.0:4000} → {@code 127.0.0.1:4000}, {@code [::]:4000} → {@code [::1]:4000}; others unchanged. */
    static InetSocketAddress connectable(InetSocketAddress listen) {
        InetAddress ip = listen.getAddress();
        if (ip == null || !ip.isAnyLocalAddress()) return listen;
        try {
            return new InetSocketAddress(
                    InetAddress.getByAddress(ip instanceof Inet6Address ? IPV6_LOOPBACK : IPV4_LOOPBACK),
                    listen.getPort());
        } catch (UnknownHostException e) {
            throw new IllegalStateException("a loopback address has a valid length", e);
        }
    }
}
