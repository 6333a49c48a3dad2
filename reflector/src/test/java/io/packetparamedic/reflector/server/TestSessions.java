package io.packetparamedic.reflector.server;

import io.packetparamedic.api.identity.EndpointId;
import io.packetparamedic.reflector.session.CloseOutcome;
import io.packetparamedic.reflector.session.PeerContext;
import io.packetparamedic.reflector.session.RunningTest;
import io.packetparamedic.reflector.session.SessionDecision;
import io.packetparamedic.reflector.session.SessionService;
import io.packetparamedic.reflector.session.TestRequest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A small session layer for control-plane tests: it grants every request (or does what the test
 * says), and records what the control plane asked of it. The real one (session/) runs engines.
 */
public final class TestSessions implements SessionService {

    public final List<PeerContext> requests = new CopyOnWriteArrayList<>();
    public final List<EndpointId> ended = new CopyOnWriteArrayList<>();
    private volatile Function<TestRequest, CompletionStage<SessionDecision>> answer =
            r -> CompletableFuture.completedFuture(grant());

    public static SessionDecision.Granted grant() {
        return new SessionDecision.Granted(
                UUID.randomUUID().toString(),
                5201,
                UUID.randomUUID().toString(),
                Instant.now().plusSeconds(15).truncatedTo(ChronoUnit.SECONDS),
                10,
                1,
                null,
                0,
                1_000_000L);
    }

    public void answerWith(Function<TestRequest, CompletionStage<SessionDecision>> answer) {
        this.answer = answer;
    }

    @Override
    public CompletionStage<SessionDecision> request(PeerContext peer, TestRequest request) {
        requests.add(peer);
        return answer.apply(request);
    }

    @Override
    public CloseOutcome close(PeerContext peer, String testId) {
        return CloseOutcome.CLOSED;
    }

    @Override
    public Optional<RunningTest> activeTest() {
        return Optional.empty();
    }

    @Override
    public long testsToday() {
        return 3;
    }

    @Override
    public long bytesToday() {
        return 1234;
    }

    @Override
    public void endSessionsOf(EndpointId peer) {
        ended.add(peer);
    }
}
