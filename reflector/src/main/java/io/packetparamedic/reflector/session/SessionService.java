package io.packetparamedic.reflector.session;

import io.packetparamedic.api.identity.EndpointId;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * What the control plane asks of the session layer. Implementations never block the caller (a
 * Netty event loop): anything slow, such as waiting for iperf3 to listen, completes the returned
 * stage later.
 */
public interface SessionService {

    /**
     * Decides a test request from an authorized peer. Completes with a
     * {@link SessionDecision.Granted} (only once the engine accepts traffic) or a
     * {@link SessionDecision.Denied}.
     */
    CompletionStage<SessionDecision> request(PeerContext peer, TestRequest request);

    /** Ends a test early at its owner's request; another peer's test goes on. */
    CloseOutcome close(PeerContext peer, String testId);

    /** The session a status snapshot shows, if one is active. */
    Optional<RunningTest> activeTest();

    /** Tests started in the current UTC day, across all peers. */
    long testsToday();

    /** Bytes transferred in the current UTC day, across all peers. */
    long bytesToday();

    /** Ends every session of {@code peer} (the peer was removed or disabled). */
    void endSessionsOf(EndpointId peer);

    /**
     * Shutdown has begun: refuse new sessions as busy, let running ones finish. Completes when none
     * is left; the caller bounds the wait. A layer without long-running sessions is drained at once.
     */
    default CompletableFuture<Void> drain(Duration period) {
        return CompletableFuture.completedFuture(null);
    }
}
