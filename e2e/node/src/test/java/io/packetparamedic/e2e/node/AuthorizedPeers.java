package io.packetparamedic.e2e.node;

import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.e2e.harness.KubeTestCluster;
import io.packetparamedic.e2e.harness.Manifests;
import java.util.Map;
import java.util.stream.Collectors;

/** AuthorizedPeers as a user writes them: YAML through {@code kubectl apply}, all in one call. */
final class AuthorizedPeers {

    private AuthorizedPeers() {}

    /** Applies one AuthorizedPeer per entry (name to key), each naming {@code instance}. */
    static void apply(KubeTestCluster cluster, String namespace, String instance, Map<String, Ed25519Identity> peers) {
        String yaml = peers.entrySet().stream()
                .map(e -> Manifests.authorizedPeer(
                        e.getKey(), e.getValue().endpointId().toString(), instance))
                .collect(Collectors.joining("---\n"));
        cluster.kubectlWithInput(yaml, "apply", "-n", namespace, "-f", "-").orThrow();
    }
}
