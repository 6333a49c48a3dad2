package io.packetparamedic.reflector.rpc;

import io.packetparamedic.reflector.wire.Payload;
import java.net.InetSocketAddress;

/**
 * Answers {@code get_path_meta}: the host's load, memory, MTU toward the peer, clock sync and
 * build. Called on a worker thread, not the event loop, so reading {@code /proc} is fine.
 */
@FunctionalInterface
public interface PathMetaSource {
    Payload.PathMeta pathMeta(InetSocketAddress peer);
}
