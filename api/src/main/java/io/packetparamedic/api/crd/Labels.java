package io.packetparamedic.api.crd;

/** Labels and annotations the operator puts on what it owns, and the reflector relies on. */
public final class Labels {
    public static final String GROUP = "packetparamedic.io";
    public static final String NAME = "app.kubernetes.io/name";
    public static final String INSTANCE = "app.kubernetes.io/instance";
    public static final String COMPONENT = "app.kubernetes.io/component";
    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String MANAGED_BY_OPERATOR = "packetparamedic-operator";
    /** On the identity Secret: the Endpoint ID derived from the seed it holds. */
    public static final String ENDPOINT_ID_ANNOTATION = GROUP + "/endpoint-id";
    /** On the identity Secret: the spec.identity.rotation value the seed was generated for. */
    public static final String ROTATION_ANNOTATION = GROUP + "/rotation";
    /** On an AuthorizedPeer created from a PairingWindow: the window, as namespace/name. */
    public static final String PAIRED_VIA_ANNOTATION = GROUP + "/paired-via";
    /**
     * On what the operator makes for one node of a PerNode instance: as a label, the node's slot
     * (its name, shortened when too long for a label value); as an annotation, the full node name.
     */
    public static final String NODE = GROUP + "/node";
    /** Key of the Ed25519 seed in an identity Secret. */
    public static final String IDENTITY_KEY = "identity.ed25519";
    /** Key of the TOML in a config Secret. */
    public static final String CONFIG_KEY = "reflector.toml";
    /** Key of the pairing code in a code Secret. */
    public static final String PAIRING_CODE_KEY = "code";

    private Labels() {}
}
