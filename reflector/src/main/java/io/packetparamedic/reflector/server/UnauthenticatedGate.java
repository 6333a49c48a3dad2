package io.packetparamedic.reflector.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

/**
 * Bounds the connections that have not yet been authenticated, before any TLS work is spent on
 * them: at most {@code perSource} from one source address (IPv6: one /64, which one subscriber
 * usually holds; more are refused) and at most {@code total} from everywhere together, so that
 * the rest of {@code max_connections} is always left to authenticated peers. When all
 * {@code total} places are taken, an older unauthenticated connection is closed to make room: the
 * oldest that has not sent a byte yet, else the oldest of all. A legitimate client sends its
 * ClientHello at once and authenticates within milliseconds, so sockets that sit idle or trickle
 * are the ones that go; a burst of silent connections cannot push out a handshake in progress,
 * and a flood of talking ones must come faster than a real peer authenticates. (Refusing the
 * newcomer instead would let a few hundred idle sockets lock everyone out.) A connection leaves
 * this stage when it closes or when {@link #authenticated} is called for it (the peer's identity
 * was accepted).
 */
@ChannelHandler.Sharable
final class UnauthenticatedGate extends ChannelInboundHandlerAdapter {

    private static final AttributeKey<InetAddress> SLOT = AttributeKey.valueOf("pp.unauthenticated.source");

    private final IntSupplier perSource;
    private final IntSupplier total;
    private final PreAuthRefusals refusals;
    private final Map<InetAddress, Integer> bySource = new ConcurrentHashMap<>();
    private final AtomicInteger open = new AtomicInteger();
    /** Unauthenticated connections that have not sent a byte yet, oldest first. */
    private final ConcurrentLinkedDeque<Channel> silent = new ConcurrentLinkedDeque<>();
    /** Unauthenticated connections that have sent something, oldest (first byte) first. */
    private final ConcurrentLinkedDeque<Channel> talking = new ConcurrentLinkedDeque<>();

    UnauthenticatedGate(int perSource, int total, PreAuthRefusals refusals) {
        this(() -> perSource, () -> total, refusals);
    }

    /** With limits read for each new connection, so that a configuration change applies to the next one. */
    UnauthenticatedGate(IntSupplier perSource, IntSupplier total, PreAuthRefusals refusals) {
        this.perSource = perSource;
        this.total = total;
        this.refusals = refusals;
    }

    /** Handshakes that may always run at once, however small {@code max_connections} is. */
    static final int MIN_TOTAL = 4;

    /**
     * {@code max_connections} × {@code percent} / 100, but at least {@link #MIN_TOTAL} (or
     * {@code max_connections}, if smaller): with a tiny limit, one slot would serialise every
     * handshake, and the server finishes a TLS 1.3 handshake after the client does.
     */
    static int totalFor(int maxConnections, int percent) {
        int share = (int) ((long) maxConnections * percent / 100);
        return Math.max(share, Math.min(maxConnections, MIN_TOTAL));
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        Channel ch = ctx.channel();
        InetAddress source = sourceOf(ch.remoteAddress());
        int maxFromSource = perSource.getAsInt();
        int maxTotal = total.getAsInt();
        if (!takeSourceSlot(source, maxFromSource)) {
            refusals.refuse(ch, PreAuthRefusals.SOURCE_LIMIT, maxFromSource);
            ctx.close();
            return;
        }
        if (open.incrementAndGet() > maxTotal) {
            Channel oldest = takeSlotOfOldest(silent);
            if (oldest == null) oldest = takeSlotOfOldest(talking);
            if (oldest == null) {
                // Every other place was released meanwhile; this one is simply over the limit.
                open.decrementAndGet();
                releaseSourceSlot(source);
                refusals.refuse(ch, PreAuthRefusals.UNAUTHENTICATED_LIMIT, maxTotal);
                ctx.close();
                return;
            }
            refusals.refuse(oldest, PreAuthRefusals.UNAUTHENTICATED_LIMIT, maxTotal);
            oldest.close();
        }
        ch.attr(SLOT).set(source);
        silent.addLast(ch);
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        release(ctx.channel());
        ctx.fireChannelInactive();
    }

    /** The connection's first byte arrived (see {@link FirstByteDeadline}): it is now evicted after silent ones. */
    void spoke(Channel channel) {
        if (silent.remove(channel)) talking.addLast(channel);
    }

    /** The connection's peer was identified and accepted: it no longer counts as unauthenticated. */
    void authenticated(Channel channel) {
        release(channel);
    }

    /** Connections in the unauthenticated stage now. */
    int open() {
        return open.get();
    }

    private void release(Channel channel) {
        if (!channel.hasAttr(SLOT)) return; // refused: never had a place
        releaseSlot(channel);
        // Also when an eviction took the place first: spoke() may have queued it again meanwhile.
        silent.remove(channel);
        talking.remove(channel);
    }

    /** Gives up the channel's place, once: the close, authentication and eviction may all try. */
    private boolean releaseSlot(Channel channel) {
        InetAddress source = channel.attr(SLOT).getAndSet(null);
        if (source == null) return false;
        open.decrementAndGet();
        releaseSourceSlot(source);
        return true;
    }

    /** Takes the place of the oldest connection in {@code queue}, which the caller closes; null if none is left. */
    private Channel takeSlotOfOldest(ConcurrentLinkedDeque<Channel> queue) {
        Channel oldest;
        while ((oldest = queue.pollFirst()) != null) {
            if (releaseSlot(oldest)) return oldest;
        }
        return null;
    }

    private boolean takeSourceSlot(InetAddress source, int perSource) {
        boolean[] taken = {false};
        bySource.compute(source, (k, n) -> {
            int held = n == null ? 0 : n;
            if (held >= perSource) return n;
            taken[0] = true;
            return held + 1;
        });
        return taken[0];
    }

    private void releaseSourceSlot(InetAddress source) {
        bySource.computeIfPresent(source, (k, n) -> n <= 1 ? null : n - 1);
    }

    /** The address a per-source limit applies to: the IPv4 address, or the /64 of an IPv6 address. */
    static InetAddress sourceOf(SocketAddress remote) {
        if (!(remote instanceof InetSocketAddress a) || a.getAddress() == null) return InetAddress.getLoopbackAddress();
        InetAddress ip = a.getAddress();
        byte[] bytes = ip.getAddress();
        if (bytes.length != 16) return ip;
        Arrays.fill(bytes, 8, 16, (byte) 0);
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            return ip; // cannot happen for 16 bytes
        }
    }
}
