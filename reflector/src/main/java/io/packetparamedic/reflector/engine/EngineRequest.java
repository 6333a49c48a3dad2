package io.packetparamedic.reflector.engine;

import java.net.InetAddress;
import java.util.function.Consumer;

/**
 * What an engine needs to serve one granted session.
 *
 * @param testId the session's test id (for logs)
 * @param port the granted data port
 * @param lifetimeSec seconds from now until the session expires (duration plus grace)
 * @param peerAddress the IP of the owning control connection
 * @param streams the granted number of parallel streams (throughput)
 * @param reverse whether the granted direction is reflector-to-peer (throughput)
 * @param refusals told about every data-plane connection the engine refuses (audit, metrics);
 *     called on an event loop, so it must not block
 * @param stampKey the session's key for authenticated STAMP, or null (every other test, and
 *     unauthenticated STAMP); never logged
 */
public record EngineRequest(
        String testId,
        int port,
        int lifetimeSec,
        InetAddress peerAddress,
        int streams,
        boolean reverse,
        Consumer<DataPlaneRefusal> refusals,
        StampHmac stampKey) {

    /** A request without a STAMP key. */
    public EngineRequest(
            String testId,
            int port,
            int lifetimeSec,
            InetAddress peerAddress,
            int streams,
            boolean reverse,
            Consumer<DataPlaneRefusal> refusals) {
        this(testId, port, lifetimeSec, peerAddress, streams, reverse, refusals, null);
    }

    /** A request without throughput terms (UDP echo, tests): one stream, upload, refusals ignored. */
    public EngineRequest(String testId, int port, int lifetimeSec, InetAddress peerAddress) {
        this(testId, port, lifetimeSec, peerAddress, 1, false, r -> {}, null);
    }
}
