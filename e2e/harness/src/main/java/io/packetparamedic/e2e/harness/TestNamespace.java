package io.packetparamedic.e2e.harness;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * A namespace created for one test method (or one class, when resolved for a {@code @BeforeAll}
 * method) and deleted when that scope ends. Injected by {@link KubeClusterExtension}.
 */
public final class TestNamespace implements AutoCloseable {

    private final KubernetesClient client;
    private final String name;

    TestNamespace(KubernetesClient client, String name) {
        this.client = client;
        this.name = name;
    }

    public String name() {
        return name;
    }

    @Override
    public void close() {
        // Not waited for: the namespace controller finalizes it in the background, and the next
        // test has its own namespace anyway.
        try {
            client.namespaces().withName(name).delete();
        } catch (KubernetesClientException e) {
            System.err.println("[kube-harness] could not delete namespace " + name + ": " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
