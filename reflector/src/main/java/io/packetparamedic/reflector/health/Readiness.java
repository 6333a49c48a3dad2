package io.packetparamedic.reflector.health;

/**
 * Whether the reflector takes new work, as {@code GET /health} reports it. It only ever goes from
 * ready to draining: a draining process exits, and its successor starts ready.
 */
public final class Readiness {

    private volatile boolean draining;

    /** From now on {@code /health} answers 503 with status {@code draining}, so probes take the pod out of rotation. */
    public void markDraining() {
        draining = true;
    }

    public boolean draining() {
        return draining;
    }
}
