package io.packetparamedic.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.packetparamedic.api.crd.Labels;
import io.packetparamedic.api.crd.PairingWindow;
import io.packetparamedic.api.crd.ReflectorInstance;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/** Names and labels of everything the operator creates; the reflector relies on the same names. */
public final class Names {

    public static final String COMPONENT_IDENTITY = "identity";
    public static final String COMPONENT_CONFIG = "config";
    public static final String COMPONENT_RBAC = "rbac";
    public static final String COMPONENT_REFLECTOR = "reflector";
    public static final String COMPONENT_PAIRING_CODE = "pairing-code";

    /** Informer selectors: each Secret dependent watches only its own kind of Secret. */
    public static final String IDENTITY_SECRETS =
            Labels.MANAGED_BY + "=" + Labels.MANAGED_BY_OPERATOR + "," + Labels.COMPONENT + "=" + COMPONENT_IDENTITY;

    public static final String CONFIG_SECRETS =
            Labels.MANAGED_BY + "=" + Labels.MANAGED_BY_OPERATOR + "," + Labels.COMPONENT + "=" + COMPONENT_CONFIG;
    public static final String PAIRING_CODE_SECRETS = Labels.MANAGED_BY + "=" + Labels.MANAGED_BY_OPERATOR + ","
            + Labels.COMPONENT + "=" + COMPONENT_PAIRING_CODE;
    public static final String OWNED = Labels.MANAGED_BY + "=" + Labels.MANAGED_BY_OPERATOR;
    /** The one Deployment and identity Secret of a Single instance: without a node label. */
    public static final String SINGLE_DEPLOYMENTS = OWNED + ",!" + Labels.NODE;
    /** The instance's own ServiceAccount, Role and RoleBinding (not those of its nodes). */
    public static final String INSTANCE_OBJECTS = SINGLE_DEPLOYMENTS;

    public static final String SINGLE_IDENTITY_SECRETS = IDENTITY_SECRETS + ",!" + Labels.NODE;
    /** The per-node Deployments, ServiceAccounts, Roles and RoleBindings of PerNode instances. */
    public static final String NODE_OBJECTS = OWNED + "," + Labels.NODE;

    public static final String NODE_IDENTITY_SECRETS = IDENTITY_SECRETS + "," + Labels.NODE;
    /** Longest node name used as is in names and label values (a label value holds 63). */
    static final int MAX_SLOT = 40;
    /** Hex digits of the node name's SHA-256 in a shortened slot: 64 bits, so slots do not collide by chance. */
    static final int SLOT_HASH = 16;

    private Names() {}

    public static String generatedIdentitySecret(ReflectorInstance ri) {
        return ri.getMetadata().getName() + "-identity";
    }

    public static String configSecret(ReflectorInstance ri) {
        return ri.getMetadata().getName() + "-config";
    }

    /** ServiceAccount, Role, RoleBinding and Deployment share one name. */
    public static String reflector(ReflectorInstance ri) {
        return ri.getMetadata().getName() + "-reflector";
    }

    /** The Deployment of an instance's reflector on one node (PerNode), and its ServiceAccount, Role and RoleBinding. */
    public static String nodeReflector(ReflectorInstance ri, String node) {
        return reflector(ri) + "-" + nodeSlot(node);
    }

    /** The generated identity Secret of an instance's reflector on one node (PerNode). */
    public static String nodeIdentitySecret(ReflectorInstance ri, String node) {
        return generatedIdentitySecret(ri) + "-" + nodeSlot(node);
    }

    /**
     * A node's name as it goes into object names and label values: as is when short, else its
     * first characters and a hash (node names are DNS subdomains of up to 253 characters, a label
     * value holds 63).
     */
    public static String nodeSlot(String node) {
        if (node.length() <= MAX_SLOT) return node;
        String head = node.substring(0, MAX_SLOT - SLOT_HASH - 1).replaceAll("[^a-z0-9]+$", "");
        return head + "-"
                + ConfigDigest.sha256(node.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                        .substring(0, SLOT_HASH);
    }

    /**
     * Refuses a placement in which two nodes would share a slot (and so one Deployment, one
     * identity Secret): with 64 bits of hash that takes about 4 billion long node names sharing
     * their first characters, but two nodes sharing an identity would be a silent security
     * failure, so it is checked rather than assumed.
     */
    static void requireDistinctSlots(Collection<String> nodes) {
        requireDistinctSlots(nodes, Names::nodeSlot);
    }

    static void requireDistinctSlots(Collection<String> nodes, Function<String, String> slot) {
        Map<String, String> bySlot = new HashMap<>();
        for (String node : nodes) {
            String other = bySlot.putIfAbsent(slot.apply(node), node);
            if (other != null) throw new NodeSlotCollision(other, node, slot.apply(node));
        }
    }

    /** Two placed nodes whose names map to one object name: nothing is made for either until one is renamed or excluded. */
    static final class NodeSlotCollision extends IllegalStateException {
        NodeSlotCollision(String a, String b, String slot) {
            super("nodes " + a + " and " + b + " map to the same object-name slot " + slot
                    + "; exclude one of them with spec.placement.nodeSelector");
        }
    }

    /** The labels of what the operator makes for one node: the instance's and the node's slot. */
    public static Map<String, String> nodeLabels(ReflectorInstance ri, String component, String node) {
        Map<String, String> labels = labels(ri, component);
        labels.put(Labels.NODE, nodeSlot(node));
        return labels;
    }

    /** The node an object was made for (its node annotation); empty for a Single instance's objects. */
    public static java.util.Optional<String> node(HasMetadata owned) {
        Map<String, String> annotations = owned.getMetadata().getAnnotations();
        return java.util.Optional.ofNullable(annotations == null ? null : annotations.get(Labels.NODE));
    }

    public static String generatedCodeSecret(PairingWindow w) {
        return w.getMetadata().getName() + "-code";
    }

    /** The selector labels of an instance's pod: stable, never changed after creation. */
    public static Map<String, String> selectorLabels(ReflectorInstance ri) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(Labels.NAME, "reflector");
        labels.put(Labels.INSTANCE, ri.getMetadata().getName());
        return labels;
    }

    public static Map<String, String> labels(HasMetadata owner, String component) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(Labels.NAME, owner instanceof PairingWindow ? "pairing-window" : "reflector");
        labels.put(Labels.INSTANCE, owner.getMetadata().getName());
        labels.put(Labels.COMPONENT, component);
        labels.put(Labels.MANAGED_BY, Labels.MANAGED_BY_OPERATOR);
        return labels;
    }

    /** The name of the object an owned one was made for (its instance label, as {@link #labels} sets it); "" when unlabelled. */
    public static String ownerName(HasMetadata owned) {
        Map<String, String> labels = owned.getMetadata().getLabels();
        return labels == null ? "" : labels.getOrDefault(Labels.INSTANCE, "");
    }

    public static String key(HasMetadata r) {
        return r.getMetadata().getNamespace() + "/" + r.getMetadata().getName();
    }
}
