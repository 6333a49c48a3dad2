package io.packetparamedic.e2e.harness;

import java.util.Locale;

/** The kinds of cluster the harness can hand to tests. */
public enum ClusterKind {
    /** etcd + kube-apiserver + kube-controller-manager started by {@code e2e/hack/control-plane.sh}. */
    LOCAL,
    /** A k3s container through Testcontainers; skipped when no container engine is usable. */
    K3S,
    /** An existing cluster named by {@code pp.kubeconfig} or {@code KUBECONFIG}. */
    KUBECONFIG;

    /** Parses the value of {@code pp.cluster}; blank means the default, {@link #LOCAL}. */
    public static ClusterKind parse(String value) {
        if (value == null || value.isBlank()) {
            return LOCAL;
        }
        switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "local":
                return LOCAL;
            case "k3s":
                return K3S;
            case "kubeconfig":
            case "existing":
                return KUBECONFIG;
            default:
                throw new IllegalArgumentException("pp.cluster=" + value + " is not one of: local, k3s, kubeconfig");
        }
    }
}
