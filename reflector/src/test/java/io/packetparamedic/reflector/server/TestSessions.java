package io.packetparamedic.reflector.server;

import io.packetparamedic.api.identity.EndpointId;
import io.packetparamedic.reflector.session.PeerContext;
import io.packetparamedic.reflector.session.SessionService;
import io.packetparamedic.reflector.wire.Payload;
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
    private volatile Function<Payload.SessionRequest, CompletionStage<Payload>> answer =
            r -> CompletableFuture.completedFuture(grant());

    public static Payload.SessionGrant grant() {
        return new Payload.SessionGrant(UUID.randomUUID().toString(), "direct_ephemeral", 5201,
                UUID.randomUUID().toString(), Instant.now().plusSeconds(15).truncatedTo(ChronoUnit.SECONDS).toString());
    }

    public void answerWith(Function<Payload.SessionRequest, CompletionStage<Payload>> answer) {
        this.answer = answer;
    }

    @Override
    public CompletionStage<Payload> request(PeerContext peer, Payload.SessionRequest request) {
        requests.add(peer);
        return answer.apply(request);
    }

    @Override
    public Payload close(PeerContext peer, String testId) {
        return new Payload.Ok();
    }

    @Override
    public Optional<Payload.ActiveTest> activeTest() {
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
