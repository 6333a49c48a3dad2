package io.packetparamedic.e2e.harness;

/** Custom resources as a user writes them, for tests that apply them with kubectl. */
public final class Manifests {

    private Manifests() {}

    /** The AuthorizedPeer that lets the appliance with {@code endpointId} in to one ReflectorInstance. */
    public static String authorizedPeer(String name, String endpointId, String instance) {
        return """
                apiVersion: packetparamedic.io/v1alpha1
                kind: AuthorizedPeer
                metadata:
                  name: %s
                spec:
                  endpointId: %s
                  reflectorRef:
                    name: %s
                """.formatted(name, endpointId, instance);
    }
}
