package io.packetparamedic.e2e.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.abortedWithReason;
import static org.junit.platform.testkit.engine.EventConditions.container;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/** Cluster selection, without starting any cluster. */
class ClusterSelectionTest {

    private static HarnessSettings settings(Map<String, String> params, Map<String, String> env) {
        return HarnessSettings.resolve(k -> Optional.ofNullable(params.get(k)), env::get);
    }

    @Test
    void localIsTheDefault() {
        assertThat(settings(Map.of(), Map.of()).cluster()).isEqualTo(ClusterKind.LOCAL);
    }

    @Test
    void propertyWinsOverEnvironment() {
        assertThat(settings(Map.of("pp.cluster", "k3s"), Map.of("PP_CLUSTER", "kubeconfig"))
                        .cluster())
                .isEqualTo(ClusterKind.K3S);
        assertThat(settings(Map.of(), Map.of("PP_CLUSTER", "kubeconfig", "KUBECONFIG", "/a:/b")))
                .satisfies(s -> {
                    assertThat(s.cluster()).isEqualTo(ClusterKind.KUBECONFIG);
                    assertThat(s.kubeconfig()).contains(Path.of("/a"));
                });
    }

    @Test
    void unknownKindIsAnError() {
        assertThatThrownBy(() -> settings(Map.of("pp.cluster", "minikube"), Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("local, k3s, kubeconfig");
    }

    @Test
    void k3sWithoutContainerEngineIsUnavailableWithAReason() throws Exception {
        AtomicBoolean probed = new AtomicBoolean();
        ClusterOutcome outcome = new ClusterLauncher(settings(Map.of("pp.cluster", "k3s"), Map.of()), () -> {
                    probed.set(true);
                    return false;
                })
                .launch();
        assertThat(probed).isTrue();
        assertThat(outcome.cluster()).isEmpty();
        assertThat(outcome.failure()).isEmpty();
        assertThat(outcome.unavailableReason())
                .hasValueSatisfying(r -> assertThat(r).contains("container engine"));
        outcome.close();
    }

    @Test
    void kubeconfigWithoutAFileFailsClearly() {
        ClusterOutcome outcome = new ClusterLauncher(settings(Map.of("pp.cluster", "kubeconfig"), Map.of())).launch();
        assertThat(outcome.failure()).hasValueSatisfying(t -> assertThat(t).hasMessageContaining("pp.kubeconfig"));
    }

    /** End to end through JUnit itself: the annotated class is skipped, not failed. */
    @Test
    void k3sTestClassIsSkippedWhenNoContainerEngineIsUsable() {
        assumeFalse(ClusterLauncher.testcontainersFindsEngine(), "a container engine is present here");
        Events containers = EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(K3sSample.class))
                .configurationParameter("pp.cluster", "k3s")
                .execute()
                .containerEvents();
        containers
                .assertThatEvents()
                .haveExactly(
                        1,
                        event(
                                container(K3sSample.class),
                                abortedWithReason(message(m -> m.contains("container engine")))));
        assertThat(K3sSample.ran).isFalse();
    }

    /** Run only through EngineTestKit above (Surefire skips nested classes). */
    @KubeCluster
    static class K3sSample {
        static volatile boolean ran;

        @Test
        void needsACluster(KubeTestCluster cluster) {
            ran = true;
        }
    }
}
