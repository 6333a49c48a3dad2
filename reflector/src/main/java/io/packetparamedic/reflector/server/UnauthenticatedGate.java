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
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bounds the connections that have not yet been authenticated, before any TLS work is spent on
 * them: at most {@code perSource} from one source address (IPv6: one /64, which one subscriber
 * usually holds) and at most {@code total} from everywhere together, so that an idle or trickling
 * socket flood from one place cannot take every slot, and the rest of {@code max_connections} is
 * always left to authenticated peers. A connection leaves this stage when it closes or when
 * {@link #authenticated} is called for it (the peer's identity was accepted).
 */
@ChannelHandler.Sharable
final class UnauthenticatedGate extends ChannelInboundHandlerAdapter {

    private static final AttributeKey<InetAddress> SLOT = AttributeKey.valueOf("pp.unauthenticated.source");

    private final int perSource;
    private final int total;
    private final PreAuthRefusals refusals;
    private final Map<InetAddress, Integer> bySource = new ConcurrentHashMap<>();
    private final AtomicInteger open = new AtomicInteger();

    UnauthenticatedGate(int perSource, int total, PreAuthRefusals refusals) {
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
        if (!takeSourceSlot(source)) {
            refusals.refuse(ch, PreAuthRefusals.SOURCE_LIMIT, perSource);
            ctx.close();
            return;
        }
        if (open.incrementAndGet() > total) {
            open.decrementAndGet();
            releaseSourceSlot(source);
            refusals.refuse(ch, PreAuthRefusals.UNAUTHENTICATED_LIMIT, total);
            ctx.close();
            return;
        }
        ch.attr(SLOT).set(source);
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        release(ctx.channel());
        ctx.fireChannelInactive();
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
        InetAddress source = channel.attr(SLOT).getAndSet(null);
        if (source == null) return;
        open.decrementAndGet();
        releaseSourceSlot(source);
    }

    private boolean takeSourceSlot(InetAddress source) {
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
