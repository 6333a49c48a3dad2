package io.packetparamedic.reflector.engine;

import java.net.InetAddress;

/**
 * What an engine needs to serve one granted session.
 *
 * @param testId the session's test id (for logs)
 * @param port the granted data port
 * @param lifetimeSec seconds from now until the session expires (duration plus grace)
 * @param peerAddress the IP of the owning control connection
 */
public record EngineRequest(String testId, int port, int lifetimeSec, InetAddress peerAddress) {}
