package io.packetparamedic.e2e.netns.child;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Shows what a NAT does to a UDP flow. {@code listen ADDR PORT...}: prints {@code READY}, then
 * {@code FROM <local-port> <source-ip>:<source-port>} for each datagram, until stdin closes.
 * {@code send LOCAL_PORT HOST:PORT...}: from one socket bound to LOCAL_PORT, sends three datagrams
 * to each target, so a NAT that maps per destination shows one public port per target.
 */
public final class UdpMapping {

    private UdpMapping() {}

    public static void main(String[] args) throws Exception {
        if (args[0].equals("listen")) {
            InetAddress addr = InetAddress.getByName(args[1]);
            List<DatagramSocket> sockets = new ArrayList<>();
            for (int i = 2; i < args.length; i++) {
                DatagramSocket s = new DatagramSocket(new InetSocketAddress(addr, Integer.parseInt(args[i])));
                s.setSoTimeout(50);
                sockets.add(s);
            }
            System.out.println("READY");
            System.out.flush();
            Thread stdinWatch = new Thread(() -> {
                try {
                    while (System.in.read() >= 0) {
                        // ignore input; EOF is the signal to stop
                    }
                } catch (java.io.IOException e) {
                    // parent gone
                }
                System.exit(0);
            });
            stdinWatch.setDaemon(true);
            stdinWatch.start();
            byte[] buf = new byte[2048];
            while (true) {
                for (DatagramSocket s : sockets) {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    try {
                        s.receive(p);
                        System.out.println("FROM " + s.getLocalPort() + " "
                                + p.getAddress().getHostAddress() + ":" + p.getPort());
                        System.out.flush();
                    } catch (SocketTimeoutException e) {
                        // next socket
                    }
                }
            }
        }
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(Integer.parseInt(args[1])))) {
            byte[] payload = "ppn-mapping".getBytes(StandardCharsets.US_ASCII);
            for (int round = 0; round < 3; round++) {
                for (int i = 2; i < args.length; i++) {
                    String[] t = args[i].split(":");
                    s.send(new DatagramPacket(
                            payload, payload.length, new InetSocketAddress(t[0], Integer.parseInt(t[1]))));
                }
                Thread.sleep(20);
            }
            System.out.println("SENT " + s.getLocalPort());
        }
        System.exit(0);
    }
}
