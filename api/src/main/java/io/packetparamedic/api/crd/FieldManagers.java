package io.packetparamedic.api.crd;

/**
 * Server-side apply field managers. The operator and the reflector pod both write the status of
 * the custom resources; each applies only the fields it owns under its own manager name, so an
 * apply by one never removes a field set by the other.
 */
public final class FieldManagers {
    /** The operator: spec-derived status (conditions, endpointId, phase, address, counts). */
    public static final String OPERATOR = "packetparamedic-operator";
    /** The reflector pod: what it observes (heartbeat, sessions, peers seen, pairing results). */
    public static final String REFLECTOR = "packetparamedic-reflector";

    private FieldManagers() {}
}
