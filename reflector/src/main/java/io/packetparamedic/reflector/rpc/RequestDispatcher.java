package io.packetparamedic.reflector.rpc;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.packetparamedic.reflector.auth.AccessLevel;
import io.packetparamedic.reflector.auth.PairingOutcome;
import io.packetparamedic.reflector.session.PeerContext;
import io.packetparamedic.reflector.wire.Envelope;
import io.packetparamedic.reflector.wire.Payload;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers one connection's requests (spec section 5), one at a time and in order: a request whose
 * answer takes time (a session grant waits for its engine, pairing writes a file) holds the
 * requests behind it, so responses always come back in request order and a pairing upgrade
 * applies to the very next request. Requests that arrive meanwhile wait in a bounded queue; when
 * it fills the connection stops reading, and a peer that still overruns it is disconnected.
 */
public final class RequestDispatcher extends SimpleChannelInboundHandler<InboundMessage> {

    private static final Logger LOG = LoggerFactory.getLogger(RequestDispatcher.class);
    /** Beyond this many waiting requests the socket is no longer read (TCP pushes back). */
    static final int PAUSE_READING_AT = 16;
    /** Frames already buffered when reading paused can still arrive; beyond this the peer is cut off. */
    static final int MAX_WAITING = 256;
    /** Upper bound on a session decision; the engine normally answers within a second or two. */
    static final long SESSION_DECISION_TIMEOUT_SEC = 30;
    /** Failed pairing attempts one connection may make before it is closed. */
    static final int MAX_FAILED_PAIRINGS = 5;

    private final ConnectedPeer connection;
    /** The connection's peer in the session layer's terms. */
    private final PeerContext peer;

    private final RpcContext rpc;
    private final ArrayDeque<InboundMessage> waiting = new ArrayDeque<>();
    private boolean busy;
    private int failedPairings;

    public RequestDispatcher(ConnectedPeer connection, RpcContext rpc) {
        this.connection = connection;
        this.peer = new PeerContext(connection.peerId(), connection.remoteAddress(), connection.keyingMaterial());
        this.rpc = rpc;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, InboundMessage msg) {
        if (busy) {
            waiting.add(msg);
            if (waiting.size() >= MAX_WAITING) {
                LOG.info(
                        "event=request_flood peer={} remote={} waiting={}",
                        connection.peerId(),
                        connection.remoteText(),
                        waiting.size());
                ctx.close();
            } else if (waiting.size() >= PAUSE_READING_AT) {
                ctx.channel().config().setAutoRead(false);
            }
            return;
        }
        start(ctx, msg);
    }

    private void start(ChannelHandlerContext ctx, InboundMessage msg) {
        busy = true;
        String requestId = msg instanceof InboundMessage.Request r
                ? r.envelope().requestId()
                : ((InboundMessage.Malformed) msg).problem().requestId();
        CompletableFuture<Payload> answer;
        try {
            answer = handle(msg);
        } catch (RuntimeException e) {
            LOG.warn("event=request_failed peer={} error=\"{}\"", connection.peerId(), e.toString());
            answer = CompletableFuture.completedFuture(error(500, "internal error"));
        }
        answer.whenComplete((payload, failure) -> {
            Payload response = failure == null ? payload : failed(failure);
            if (ctx.executor().inEventLoop()) finish(ctx, requestId, response);
            else ctx.executor().execute(() -> finish(ctx, requestId, response));
        });
    }

    private void finish(ChannelHandlerContext ctx, String requestId, Payload response) {
        if (!ctx.channel().isActive()) return;
        ctx.writeAndFlush(new Envelope(requestId, response));
        if (response instanceof Payload.PairResponse pr && !pr.success() && ++failedPairings >= MAX_FAILED_PAIRINGS) {
            LOG.info(
                    "event=pairing_attempts_exhausted peer={} remote={}", connection.peerId(), connection.remoteText());
            ctx.close();
            return;
        }
        busy = false;
        InboundMessage next = waiting.poll();
        if (waiting.size() < PAUSE_READING_AT && !ctx.channel().config().isAutoRead()) {
            ctx.channel().config().setAutoRead(true);
        }
        if (next != null) start(ctx, next);
    }

    private CompletableFuture<Payload> handle(InboundMessage msg) {
        if (msg instanceof InboundMessage.Malformed m) {
            rpc.metrics().protocolError(m.problem().code());
            return done(new Payload.Error(m.problem().code(), m.problem().getMessage()));
        }
        Payload p = ((InboundMessage.Request) msg).envelope().payload();
        if (!isClientMessage(p)) {
            rpc.metrics().protocolError(400);
            return done(new Payload.Error(400, "unexpected message type"));
        }
        if (connection.access() != AccessLevel.FULL
                && !(p instanceof Payload.Hello || p instanceof Payload.PairRequest)) {
            rpc.metrics().protocolError(403);
            return done(new Payload.Error(403, "pairing required before sending other messages"));
        }
        if (p instanceof Payload.Hello) {
            return done(ServerHellos.of(rpc.config().get()));
        }
        if (p instanceof Payload.PairRequest pair) {
            return offloop(() -> pair(pair.token()));
        }
        if (p instanceof Payload.GetStatus) {
            return done(status());
        }
        if (p instanceof Payload.SessionRequest request) {
            return rpc.sessions()
                    .request(peer, SessionMessages.request(request))
                    .thenApply(SessionMessages::decision)
                    .toCompletableFuture()
                    .orTimeout(SESSION_DECISION_TIMEOUT_SEC, TimeUnit.SECONDS);
        }
        if (p instanceof Payload.SessionClose close) {
            if (close.testId() == null) return done(new Payload.Error(400, "invalid session_close message"));
            return done(SessionMessages.closed(rpc.sessions().close(peer, close.testId())));
        }
        if (p instanceof Payload.GetPathMeta) {
            return offloop(() -> rpc.pathMeta().pathMeta(connection.remoteAddress()));
        }
        if (p instanceof Payload.GetFleetEndpoints) {
            return done(FleetEndpointsAnswer.of(rpc.config().get(), rpc.reflectorId()));
        }
        return done(new Payload.Error(400, "unexpected message type"));
    }

    private Payload pair(String code) {
        PairingOutcome outcome = rpc.authorizer()
                .pair(
                        connection.peerId(),
                        connection.remoteAddress() == null
                                ? null
                                : connection.remoteAddress().getAddress(),
                        code);
        rpc.metrics().pairingAttempt(outcome.success() && outcome.window().isPresent());
        if (!outcome.success()) {
            LOG.info("event=pairing_failed peer={} remote={}", connection.peerId(), connection.remoteText());
            return new Payload.PairResponse(false, outcome.message(), null);
        }
        connection.grantFullAccess();
        return new Payload.PairResponse(
                true, outcome.message(), rpc.reflectorId().toString());
    }

    private Payload.StatusSnapshot status() {
        return new Payload.StatusSnapshot(
                rpc.reflectorId().toString(),
                rpc.uptimeSec(),
                rpc.sessions().activeTest().map(SessionMessages::activeTest).orElse(null),
                rpc.sessions().testsToday(),
                rpc.sessions().bytesToday(),
                null);
    }

    private CompletableFuture<Payload> offloop(java.util.function.Supplier<Payload> work) {
        try {
            return CompletableFuture.supplyAsync(work, rpc.worker());
        } catch (RejectedExecutionException e) {
            return done(new Payload.Error(503, "server busy, retry later"));
        }
    }

    private Payload failed(Throwable failure) {
        Throwable cause =
                failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof TimeoutException) {
            LOG.warn("event=request_timeout peer={}", connection.peerId());
            return error(503, "the request timed out, retry later");
        }
        if (cause instanceof RejectedExecutionException) return error(503, "server busy, retry later");
        LOG.warn("event=request_failed peer={} error=\"{}\"", connection.peerId(), cause.toString());
        return error(500, "internal error");
    }

    private static Payload error(int code, String message) {
        return new Payload.Error(code, message);
    }

    private static CompletableFuture<Payload> done(Payload payload) {
        return CompletableFuture.completedFuture(payload);
    }

    /** The types an appliance may send; the others are the reflector's own replies. */
    static boolean isClientMessage(Payload p) {
        return p instanceof Payload.Hello
                || p instanceof Payload.SessionRequest
                || p instanceof Payload.SessionClose
                || p instanceof Payload.GetStatus
                || p instanceof Payload.PairRequest
                || p instanceof Payload.GetPathMeta
                || p instanceof Payload.GetFleetEndpoints;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug(
                "event=connection_error peer={} remote={} error=\"{}\"",
                connection.peerId(),
                connection.remoteText(),
                cause.toString());
        ctx.close();
    }
}
