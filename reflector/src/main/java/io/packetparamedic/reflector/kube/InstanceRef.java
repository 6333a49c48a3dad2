package io.packetparamedic.reflector.kube;

import java.util.regex.Pattern;

/** The ReflectorInstance a Kubernetes-mode reflector serves: {@code --instance <namespace>/<name>}. */
public record InstanceRef(String namespace, String name) {

    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern DNS_SUBDOMAIN =
            Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    public InstanceRef {
        if (namespace == null
                || namespace.length() > 63
                || !DNS_LABEL.matcher(namespace).matches()) {
            throw new IllegalArgumentException("invalid namespace '" + namespace + "'");
        }
        if (name == null || name.length() > 253 || !DNS_SUBDOMAIN.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid ReflectorInstance name '" + name + "'");
        }
    }

    /**
     * Parses {@code namespace/name}; a bare {@code name} takes {@code defaultNamespace} (the
     * pod's namespace) when there is one.
     *
     * @throws IllegalArgumentException when the value is malformed
     */
    public static InstanceRef parse(String value, String defaultNamespace) {
        if (value == null || value.isBlank()) throw new IllegalArgumentException("--instance needs <namespace>/<name>");
        String v = value.strip();
        int slash = v.indexOf('/');
        if (slash < 0) {
            if (defaultNamespace == null || defaultNamespace.isBlank()) {
                throw new IllegalArgumentException("--instance '" + v + "' needs a namespace: <namespace>/<name>");
            }
            return new InstanceRef(defaultNamespace, v);
        }
        if (v.indexOf('/', slash + 1) >= 0)
            throw new IllegalArgumentException("--instance '" + v + "' is not <namespace>/<name>");
        return new InstanceRef(v.substring(0, slash), v.substring(slash + 1));
    }

    @Override
    public String toString() {
        return namespace + "/" + name;
    }
}
