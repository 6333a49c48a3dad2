package io.packetparamedic.reflector.health;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /health} → JSON status (200 {@code ok}, or 503 {@code draining} once shutdown has
 * begun, so a readiness probe fails), {@code GET /livez} → the same body with 200 while draining
 * too (a liveness probe must not restart a pod that is finishing its tests), {@code GET /metrics}
 * → Prometheus text, anything else 404 (405 for other methods).
 */
@ChannelHandler.Sharable
final class HealthHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger LOG = LoggerFactory.getLogger(HealthHandler.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final String version;
    private final io.packetparamedic.reflector.metrics.ReflectorMetrics metrics;
    private final Readiness readiness;

    HealthHandler(String version, io.packetparamedic.reflector.metrics.ReflectorMetrics metrics, Readiness readiness) {
        this.version = version;
        this.metrics = metrics;
        this.readiness = readiness;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (!request.decoderResult().isSuccess()) {
            respond(ctx, request, HttpResponseStatus.BAD_REQUEST, "text/plain; charset=utf-8", "bad request\n");
            return;
        }
        String path = new QueryStringDecoder(request.uri()).path();
        boolean known = path.equals("/health") || path.equals("/livez") || path.equals("/metrics");
        if (!known) {
            respond(ctx, request, HttpResponseStatus.NOT_FOUND, "text/plain; charset=utf-8", "not found\n");
            return;
        }
        if (!HttpMethod.GET.equals(request.method()) && !HttpMethod.HEAD.equals(request.method())) {
            respond(
                    ctx,
                    request,
                    HttpResponseStatus.METHOD_NOT_ALLOWED,
                    "text/plain; charset=utf-8",
                    "method not allowed\n");
            return;
        }
        if (path.equals("/health") || path.equals("/livez")) {
            boolean draining = readiness.draining();
            boolean ready = !draining || path.equals("/livez");
            respond(
                    ctx,
                    request,
                    ready ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                    "application/json",
                    health(draining));
        } else {
            respond(ctx, request, HttpResponseStatus.OK, PROMETHEUS_CONTENT_TYPE, metrics.scrape());
        }
    }

    private String health(boolean draining) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", draining ? "draining" : "ok");
        body.put("version", version);
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        body.put("load", load < 0 ? 0.0 : load);
        try {
            return JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void respond(
            ChannelHandlerContext ctx,
            FullHttpRequest request,
            HttpResponseStatus status,
            String contentType,
            String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        boolean head = HttpMethod.HEAD.equals(request.method());
        FullHttpResponse response = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, status, head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(bytes));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length)
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        boolean keepAlive =
                HttpUtil.isKeepAlive(request) && request.decoderResult().isSuccess();
        HttpUtil.setKeepAlive(response, keepAlive);
        var future = ctx.writeAndFlush(response);
        if (!keepAlive) future.addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug(
                "event=health_connection_error remote={} error=\"{}\"",
                ctx.channel().remoteAddress(),
                cause.toString());
        ctx.close();
    }
}
