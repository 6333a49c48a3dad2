package io.packetparamedic.reflector.server;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.netty.util.ReferenceCountUtil;
import io.packetparamedic.api.identity.EndpointId;
import io.packetparamedic.api.identity.SelfSignedCertificate;
import io.packetparamedic.reflector.auth.AccessLevel;
import io.packetparamedic.reflector.auth.Authorizer;
import io.packetparamedic.reflector.metrics.ReflectorMetrics;
import io.packetparamedic.reflector.tls.KeyingMaterialExporter;
import io.packetparamedic.reflector.wire.Addresses;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a finished TLS handshake into a peer (spec sections 2, 3 and 6): settles the ALPN the
 * connection uses, derives the peer's Endpoint ID from its certificate key, requires the SAN to name
 * that same ID, asks the {@link Authorizer}, then either closes the connection or installs the
 * request dispatcher with the peer's access level and steps out of the pipeline. Every outcome,
 * including a failed handshake, is audited once.
 */
final class PeerIdentityHandler extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(PeerIdentityHandler.class);
    static final String DISPATCHER = "dispatcher";

    private final String alpn;
    private final boolean requireAlpn;
    private final Authorizer authorizer;
    private final ConnectionAuditor auditor;
    private final ReflectorMetrics metrics;
    private final ConnectionRegistry registry;
    private final Function<PeerConnection, ChannelHandler> dispatcherFactory;
    private final Clock clock;

    PeerIdentityHandler(
            String alpn,
            boolean requireAlpn,
            Authorizer authorizer,
            ConnectionAuditor auditor,
            ReflectorMetrics metrics,
            ConnectionRegistry registry,
            Function<PeerConnection, ChannelHandler> dispatcherFactory,
            Clock clock) {
        this.alpn = alpn;
        this.requireAlpn = requireAlpn;
        this.authorizer = authorizer;
        this.auditor = auditor;
        this.metrics = metrics;
        this.registry = registry;
        this.dispatcherFactory = dispatcherFactory;
        this.clock = clock;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof SslHandshakeCompletionEvent done) {
            // What the TLS provider kept for this connection's exporter goes with the connection,
            // whether or not the handshake completed.
            SslHandler ssl = ctx.pipeline().get(SslHandler.class);
            KeyingMaterialExporter exporter =
                    ssl == null ? KeyingMaterialExporter.NONE : KeyingMaterialExporter.of(ssl.engine());
            ctx.channel().closeFuture().addListener(closed -> exporter.forget());
            if (done.isSuccess()) identify(ctx, exporter);
            else handshakeFailed(ctx, done.cause());
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        // Application data before the peer is identified: nothing may reach the protocol layer.
        ReferenceCountUtil.release(msg);
        ctx.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // The handshake outcome reports TLS errors; what remains is I/O trouble on a dying socket.
        LOG.debug(
                "event=connection_error remote={} error=\"{}\"",
                Addresses.format(ctx.channel().remoteAddress()),
                cause.toString());
        ctx.close();
    }

    private void handshakeFailed(ChannelHandlerContext ctx, Throwable cause) {
        String category = classify(cause);
        if (!auditor.recorded(ctx.channel())) metrics.handshakeFailure(category);
        auditor.denied(ctx.channel(), null, "TLS handshake failed: " + category, "handshake");
        LOG.debug(
                "event=handshake_failed remote={} category={} error=\"{}\"",
                Addresses.format(ctx.channel().remoteAddress()),
                category,
                cause.toString());
        ctx.close();
    }

    private void identify(ChannelHandlerContext ctx, KeyingMaterialExporter exporter) {
        SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        String used = applicationProtocol(ssl.applicationProtocol());
        if (used == null) {
            metrics.handshakeFailure("no_application_protocol");
            String negotiated = ssl.applicationProtocol();
            deny(
                    ctx,
                    null,
                    isNone(negotiated)
                            ? "no ALPN (network.require_alpn is set)"
                            : "ALPN " + negotiated + " is not " + alpn,
                    "alpn");
            return;
        }
        X509Certificate cert;
        try {
            Certificate[] chain = ssl.engine().getSession().getPeerCertificates();
            cert = (X509Certificate) chain[0];
        } catch (SSLPeerUnverifiedException | ClassCastException | ArrayIndexOutOfBoundsException e) {
            metrics.handshakeFailure("no_client_certificate");
            deny(ctx, null, "no client certificate", "certificate");
            return;
        }
        Optional<EndpointId> keyId = SelfSignedCertificate.keyEndpointId(cert);
        if (keyId.isEmpty()) {
            deny(ctx, null, "certificate key is not Ed25519", "certificate");
            return;
        }
        EndpointId peer = keyId.get();
        List<String> sans = SelfSignedCertificate.sanEndpointIds(cert);
        if (sans.isEmpty()) {
            deny(ctx, peer, "certificate has no pp-id SAN", "certificate");
            return;
        }
        for (String san : sans) {
            if (!namesPeer(san, peer)) {
                metrics.authorizationDecision("impersonation");
                deny(ctx, peer, "impersonation attempt: SAN names " + san, "impersonation");
                return;
            }
        }
        AccessLevel access = authorizer.access(peer);
        metrics.authorizationDecision(access.decision());
        if (access == AccessLevel.DENIED) {
            deny(ctx, peer, "peer is not authorized", "unauthorized");
            return;
        }
        PeerConnection connection = new PeerConnection(
                ctx.channel(),
                peer,
                (InetSocketAddress) ctx.channel().remoteAddress(),
                access,
                Instant.now(clock),
                exporter);
        registry.add(ctx.channel(), connection);
        auditor.accepted(ctx.channel(), peer, access.decision(), used);
        ctx.pipeline().addLast(DISPATCHER, dispatcherFactory.apply(connection));
        ctx.pipeline().remove(this);
    }

    /**
     * The protocol this connection speaks, or null to refuse it. A client that offered only other
     * protocols never gets here (the handshake fails with {@code no_application_protocol}). A
     * ClientHello without the ALPN extension completes the handshake with none negotiated: as
     * RFC 7301 servers do, it is served with our one protocol (the appliance client deployed in the
     * field offers none), unless {@code network.require_alpn} asks for strictness.
     */
    private String applicationProtocol(String negotiated) {
        if (isNone(negotiated)) return requireAlpn ? null : ReflectorMetrics.ALPN_NONE;
        return negotiated.equals(alpn) ? negotiated : null;
    }

    private static boolean isNone(String negotiated) {
        return negotiated == null || negotiated.isEmpty();
    }

    private static boolean namesPeer(String san, EndpointId peer) {
        try {
            return EndpointId.parse(san).equals(peer);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private void deny(ChannelHandlerContext ctx, EndpointId peer, String reason, String category) {
        auditor.denied(ctx.channel(), peer, reason, category);
        ctx.close();
    }

    /** A short, fixed word for a handshake failure (a metrics tag and the audit reason). */
    static String classify(Throwable cause) {
        if (cause instanceof SslHandshakeTimeoutException) return "timeout";
        if (cause instanceof ClosedChannelException) return "closed_before_handshake";
        if (cause instanceof NotSslRecordException) return "not_tls";
        String text = chainText(cause);
        if (text.contains("empty client certificate")
                || text.contains("certificate_required")
                || text.contains("bad_certificate")) {
            return "no_client_certificate";
        }
        if (text.contains("protocol_version")
                || text.contains("protocol is disabled")
                || text.contains("no appropriate protocol")
                || text.contains("not enabled or not supported")
                || text.contains("unsupported protocol")
                || text.contains("protocol versions")) {
            return "protocol_version";
        }
        if (text.contains("application protocol")
                || text.contains("application layer protocol")
                || text.contains("no_application_protocol")
                || text.contains("alpn")) {
            return "no_application_protocol";
        }
        if (text.contains("closed") || text.contains("connection reset") || text.contains("broken pipe")) {
            return "closed_before_handshake";
        }
        return "other";
    }

    private static String chainText(Throwable cause) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = cause; t != null && sb.length() < 2000; t = t.getCause()) {
            sb.append(t.getClass().getSimpleName())
                    .append(':')
                    .append(t.getMessage())
                    .append(' ');
            if (t.getCause() == t) break;
        }
        return sb.toString().toLowerCase(Locale.ROOT);
    }
}
