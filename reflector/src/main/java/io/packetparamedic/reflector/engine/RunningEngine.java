package io.packetparamedic.reflector.engine;

import java.util.concurrent.CompletableFuture;

/** One engine serving one session. */
public interface RunningEngine {

    /** Completes once the engine has stopped and released its port, with the bytes it moved. */
    CompletableFuture<Long> completion();

    /** Stops the engine (idempotent, never blocks); {@link #completion()} follows. */
    void stop();
}
