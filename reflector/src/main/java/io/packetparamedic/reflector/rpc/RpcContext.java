package io.packetparamedic.reflector.rpc;

import io.packetparamedic.api.config.ReflectorConfig;
import io.packetparamedic.api.identity.EndpointId;
import io.packetparamedic.reflector.auth.Authorizer;
import io.packetparamedic.reflector.metrics.ReflectorMetrics;
import io.packetparamedic.reflector.session.SessionService;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.function.Supplier;

/**
 * What every connection's {@link RequestDispatcher} shares. {@code config} returns the current
 * configuration (it changes on live reload); {@code worker} runs the blocking parts of requests
 * (pairing writes the peer file, path metadata reads the host) off the event loop.
 */
public record RpcContext(
        EndpointId reflectorId,
        Supplier<ReflectorConfig> config,
        Instant startedAt,
        Clock clock,
        SessionService sessions,
        PathMetaSource pathMeta,
        Authorizer authorizer,
        ReflectorMetrics metrics,
        ExecutorService worker) {

    public long uptimeSec() {
        return Math.max(0, Duration.between(startedAt, clock.instant()).getSeconds());
    }
}
