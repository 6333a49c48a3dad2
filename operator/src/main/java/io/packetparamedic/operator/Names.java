package io.packetparamedic.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.packetparamedic.api.crd.Labels;
import io.packetparamedic.api.crd.PairingWindow;
import io.packetparamedic.api.crd.ReflectorInstance;
import java.util.LinkedHashMap;
import java.util.Map;

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
