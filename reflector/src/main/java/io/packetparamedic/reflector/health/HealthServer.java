package io.packetparamedic.reflector.health;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.packetparamedic.reflector.metrics.ReflectorMetrics;
import io.packetparamedic.reflector.server.Transport;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * Plain HTTP for probes and scrapers on {@code listen_address_health}: {@code GET /health} and
 * {@code GET /metrics}. Requests are small (bodies are bounded at 4 KiB) and slow clients are cut
 * off after 30 s.
 */
public final class HealthServer implements AutoCloseable {

    static final int MAX_REQUEST_BYTES = 4096;
    private static final int READ_TIMEOUT_SEC = 30;

    private final Channel listener;
    private final ChannelGroup connections;

    private HealthServer(Channel listener, ChannelGroup connections) {
        this.listener = listener;
        this.connections = connections;
    }

    public static HealthServer start(
            Transport transport,
            InetSocketAddress bindAddress,
            String version,
            ReflectorMetrics metrics,
            Readiness readiness)
            throws InterruptedException {
        ChannelGroup group = new DefaultChannelGroup("health", GlobalEventExecutor.INSTANCE);
        HealthHandler handler = new HealthHandler(version, metrics, readiness);
        Channel listener = new ServerBootstrap()
                .group(transport.boss(), transport.workers())
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        group.add(ch);
                        ch.pipeline()
                                .addLast(new ReadTimeoutHandler(READ_TIMEOUT_SEC, TimeUnit.SECONDS))
                                .addLast(new HttpServerCodec(MAX_REQUEST_BYTES, MAX_REQUEST_BYTES, MAX_REQUEST_BYTES))
                                .addLast(new HttpObjectAggregator(MAX_REQUEST_BYTES))
                                .addLast(handler);
                    }
                })
                .bind(bindAddress)
                .sync()
                .channel();
        return new HealthServer(listener, group);
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) listener.localAddress();
    }

    @Override
    public void close() {
        listener.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        connections.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
