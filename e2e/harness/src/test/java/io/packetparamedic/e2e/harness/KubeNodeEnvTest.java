package io.packetparamedic.e2e.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The harness reads node.sh env's output; no node is started here. */
class KubeNodeEnvTest {

    @Test
    void parsesTheExportLinesOfNodeShEnv() {
        Map<String, String> env = KubeNode.parseEnv("""
        export KUBECONFIG='/tmp/pp-node-1/cp/admin.kubeconfig'
        export PATH='/c/k8s/bin:/c/containerd/bin:/c/crictl/bin':"$PATH"
        export PP_NODE_ADDRESS='10.200.7.2'
        [node] a log line
        export PP_NODE_CRICTL='/c/crictl/bin/crictl'
        """);
        assertThat(env)
                .containsEntry("KUBECONFIG", "/tmp/pp-node-1/cp/admin.kubeconfig")
                .containsEntry("PATH", "/c/k8s/bin:/c/containerd/bin:/c/crictl/bin")
                .containsEntry("PP_NODE_ADDRESS", "10.200.7.2")
                .containsEntry("PP_NODE_CRICTL", "/c/crictl/bin/crictl")
                .hasSize(4);
    }
}
