package io.packetparamedic.reflector.engine;

/** Starts the data-plane side of a session. */
public interface DataEngine {

    /**
     * Starts serving {@code request} and returns once the engine accepts traffic. May block for a
     * short while (starting a process); never call it on an event loop.
     */
    RunningEngine start(EngineRequest request) throws EngineException;
}
