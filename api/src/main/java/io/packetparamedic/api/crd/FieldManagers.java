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

    /** Longest field manager name the API server accepts. */
    static final int MAX_LENGTH = 128;

    private FieldManagers() {}

    /**
     * The reflector pod of one node of a PerNode instance. Each node's pod needs a manager of its
     * own: an apply removes the fields its manager set before and left out now, so pods sharing
     * one would delete each other's status.nodeReports entries. A node name too long for a
     * manager name is replaced by its SHA-256.
     */
    public static String reflectorOnNode(String node) {
        String name = REFLECTOR + "-" + node;
        if (name.length() <= MAX_LENGTH) return name;
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(node.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return REFLECTOR + "-" + java.util.HexFormat.of().formatHex(digest);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }
}
