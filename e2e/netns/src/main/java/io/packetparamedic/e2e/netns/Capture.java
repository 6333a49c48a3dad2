package io.packetparamedic.e2e.netns;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A packet capture with {@code tcpdump -w} inside a namespace, and a reader for the resulting
 * pcap file (Ethernet, IPv4, TCP and UDP: what the lab carries).
 */
public final class Capture implements AutoCloseable {

    /** One captured IPv4 TCP or UDP packet; {@code epochMicros} is the capture time. */
    public record Packet(
            long epochMicros, String protocol, String src, int srcPort, String dst, int dstPort, byte[] payload) {}

    private final Process process;
    private final Path file;

    private Capture(Process process, Path file) {
        this.process = process;
        this.file = file;
    }

    /** Largest capture file {@link #read} accepts; bulk traffic belongs in a capture with a short snap length. */
    static final long MAX_FILE_BYTES = 512L * 1024 * 1024;

    /**
     * Starts {@code tcpdump} on {@code ifName} in {@code ns} and returns once it is capturing. A
     * {@code snapLength} of 0 keeps whole packets; capture bulk data (iperf3 runs at many Gbit/s over
     * veth pairs) with a short one, or the file outgrows what can be read back.
     */
    public static Capture start(String ns, String ifName, Path file, String filter, int snapLength) {
        List<String> command = List.of(
                "ip",
                "netns",
                "exec",
                ns,
                "tcpdump",
                "-i",
                ifName,
                "-n",
                "-U",
                "--immediate-mode",
                "-s",
                Integer.toString(snapLength),
                "-w",
                file.toString(),
                filter);
        Process p;
        try {
            Files.createDirectories(file.getParent());
            p = new ProcessBuilder(command).start();
        } catch (IOException e) {
            throw new TopologyException("cannot start tcpdump (is it installed? see .ci/run): " + e.getMessage(), e);
        }
        BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> listening = CompletableFuture.supplyAsync(() -> {
            StringBuilder seen = new StringBuilder();
            try {
                String line;
                while ((line = err.readLine()) != null) {
                    seen.append(line).append('\n');
                    if (line.contains("listening on")) return null;
                }
            } catch (IOException e) {
                seen.append(e.getMessage());
            }
            return seen.toString();
        });
        String failure;
        try {
            failure = listening.get(15, TimeUnit.SECONDS);
        } catch (Exception e) {
            failure = "tcpdump did not report listening within 15 s";
        }
        if (failure != null) {
            p.destroyForcibly();
            throw new TopologyException("tcpdump in " + ns + " failed: " + failure);
        }
        // Keep draining stderr so tcpdump never blocks on it.
        CompletableFuture.runAsync(() -> {
            try {
                while (err.readLine() != null) {
                    // discard
                }
            } catch (IOException ignored) {
                // ended
            }
        });
        return new Capture(p, file);
    }

    /**
     * Waits until the file holds a packet matching {@code match} (tcpdump writes each packet as it
     * sees it; there is no event to wait on, so the file is polled until the deadline).
     */
    public boolean awaitPacket(java.util.function.Predicate<Packet> match, java.time.Duration timeout)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.size(file) >= 24 && read(file).stream().anyMatch(match)) return true;
            TimeUnit.MILLISECONDS.sleep(100);
        }
        return false;
    }

    /** Stops tcpdump (SIGTERM, so it flushes) and reads what it wrote. */
    public List<Packet> stop() throws IOException, InterruptedException {
        close();
        return read(file);
    }

    @Override
    public void close() {
        if (!process.isAlive()) return;
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS))
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    /** Parses a classic pcap file with Ethernet link type; non-IPv4 and non-TCP/UDP frames are skipped. */
    public static List<Packet> read(Path pcap) throws IOException {
        long size = Files.size(pcap);
        if (size > MAX_FILE_BYTES) {
            throw new IOException(pcap + " holds " + size + " bytes, more than the " + MAX_FILE_BYTES
                    + " this reader accepts: capture bulk traffic with a short snap length");
        }
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(pcap));
        if (b.remaining() < 24) throw new IOException(pcap + " is not a pcap file (too short)");
        int magic = b.order(ByteOrder.LITTLE_ENDIAN).getInt(0);
        ByteOrder order;
        boolean nanos;
        switch (magic) {
            case 0xa1b2c3d4 -> {
                order = ByteOrder.LITTLE_ENDIAN;
                nanos = false;
            }
            case 0xa1b23c4d -> {
                order = ByteOrder.LITTLE_ENDIAN;
                nanos = true;
            }
            case 0xd4c3b2a1 -> {
                order = ByteOrder.BIG_ENDIAN;
                nanos = false;
            }
            case 0x4d3cb2a1 -> {
                order = ByteOrder.BIG_ENDIAN;
                nanos = true;
            }
            default -> throw new IOException(pcap + " has an unknown pcap magic " + Integer.toHexString(magic));
        }
        b.order(order);
        int linkType = b.getInt(20);
        if (linkType != 1) throw new IOException(pcap + " has link type " + linkType + ", expected Ethernet (1)");
        b.position(24);
        List<Packet> packets = new ArrayList<>();
        while (b.remaining() >= 16) {
            long sec = Integer.toUnsignedLong(b.getInt());
            long frac = Integer.toUnsignedLong(b.getInt());
            int captured = b.getInt();
            b.getInt(); // original length
            if (captured < 0 || captured > b.remaining()) break;
            byte[] frame = new byte[captured];
            b.get(frame);
            Packet p = decode(sec * 1_000_000 + (nanos ? frac / 1000 : frac), frame);
            if (p != null) packets.add(p);
        }
        return packets;
    }

    private static Packet decode(long micros, byte[] f) {
        if (f.length < 14 + 20) return null;
        int etherType = ((f[12] & 0xff) << 8) | (f[13] & 0xff);
        if (etherType != 0x0800) return null;
        int ip = 14;
        int ihl = (f[ip] & 0x0f) * 4;
        int total = ((f[ip + 2] & 0xff) << 8) | (f[ip + 3] & 0xff);
        int proto = f[ip + 9] & 0xff;
        String src =
                (f[ip + 12] & 0xff) + "." + (f[ip + 13] & 0xff) + "." + (f[ip + 14] & 0xff) + "." + (f[ip + 15] & 0xff);
        String dst =
                (f[ip + 16] & 0xff) + "." + (f[ip + 17] & 0xff) + "." + (f[ip + 18] & 0xff) + "." + (f[ip + 19] & 0xff);
        int l4 = ip + ihl;
        int end = Math.min(f.length, ip + total);
        if (l4 + 8 > end) return null;
        int srcPort = ((f[l4] & 0xff) << 8) | (f[l4 + 1] & 0xff);
        int dstPort = ((f[l4 + 2] & 0xff) << 8) | (f[l4 + 3] & 0xff);
        int payloadStart;
        String protocol;
        if (proto == 6) {
            protocol = "tcp";
            payloadStart = l4 + ((f[l4 + 12] & 0xf0) >> 4) * 4;
        } else if (proto == 17) {
            protocol = "udp";
            payloadStart = l4 + 8;
        } else {
            return null;
        }
        byte[] payload = payloadStart < end ? java.util.Arrays.copyOfRange(f, payloadStart, end) : new byte[0];
        return new Packet(micros, protocol, src, srcPort, dst, dstPort, payload);
    }
}
