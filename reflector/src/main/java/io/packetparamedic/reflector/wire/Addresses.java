package io.packetparamedic.reflector.wire;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

/** Socket address parsing and formatting for configuration values and log lines. */
public final class Addresses {

    private Addresses() {}

    /**
     * Parses {@code host:port} or {@code [v6-address]:port}; port 0 asks the OS for a free one.
     *
     * @throws IllegalArgumentException naming the value when it is not of that form
     */
    public static InetSocketAddress parse(String value) {
        String v = value == null ? "" : value.strip();
        int colon = v.lastIndexOf(':');
        if (colon <= 0 || colon == v.length() - 1) {
            throw new IllegalArgumentException("address \"" + value + "\" is not host:port");
        }
        String host = v.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        int port;
        try {
            port = Integer.parseInt(v.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("address \"" + value + "\" has no numeric port");
        }
        if (port < 0 || port > 65535)
            throw new IllegalArgumentException("address \"" + value + "\" has port out of range");
        return new InetSocketAddress(host, port);
    }

    /** {@code ip:port} ({@code [ip]:port} for IPv6), without reverse DNS. */
    public static String format(SocketAddress address) {
        if (!(address instanceof InetSocketAddress a)) return String.valueOf(address);
        String ip = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
        return (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ":" + a.getPort();
    }
}
