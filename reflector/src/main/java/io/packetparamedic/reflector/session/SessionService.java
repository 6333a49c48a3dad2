package io.packetparamedic.reflector.session;

import io.packetparamedic.api.identity.EndpointId;
import io.packetparamedic.reflector.wire.Payload;
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
     * Decides a {@code session_request} from an authorized peer. Completes with a
     * {@link Payload.SessionGrant} (sent only once the engine accepts traffic) or a
     * {@link Payload.SessionDeny}.
     */
    CompletionStage<Payload> request(PeerContext peer, Payload.SessionRequest request);

    /** Handles {@code session_close}: {@link Payload.Ok}, or {@link Payload.Error} when the test is not the peer's. */
    Payload close(PeerContext peer, String testId);

    /** The session shown in {@code status_snapshot}, if one is active. */
    Optional<Payload.ActiveTest> activeTest();

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
