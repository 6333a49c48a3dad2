package io.packetparamedic.e2e.harness;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** With the status subresource, the main resource and /status each own their half. */
@KubeCluster
class StatusSubresourceTest {

    @BeforeAll
    static void installCrd(KubernetesClient client) {
        Widgets.install(client);
    }

    @Test
    void mainResourceUpdatesIgnoreStatusAndStatusUpdatesIgnoreSpec(KubernetesClient client, TestNamespace ns) {
        var widgets = Widgets.in(client).inNamespace(ns.name());
        GenericKubernetesResource w = Widgets.widget(ns.name(), "w", 3, "blue");
        w.getAdditionalProperties().put("status", Map.of("phase", "SetOnCreate"));

        GenericKubernetesResource created = widgets.resource(w).create();
        assertThat(created.getAdditionalProperties())
                .as("status is dropped on create")
                .doesNotContainKey("status");
        assertThat(created.getMetadata().getGeneration()).isEqualTo(1L);

        // Status write through /status.
        created.getAdditionalProperties().put("status", Map.of("phase", "Ready", "observedSize", 3));
        GenericKubernetesResource withStatus = widgets.resource(created).updateStatus();
        assertThat(Widgets.section(withStatus, "status")).containsEntry("phase", "Ready");
        assertThat(withStatus.getMetadata().getGeneration())
                .as("status writes do not bump generation")
                .isEqualTo(1L);

        // Main resource update that also tries to change status: spec changes, status does not.
        Map<String, Object> spec = Widgets.copy(Widgets.section(withStatus, "spec"));
        spec.put("size", 5);
        withStatus.getAdditionalProperties().put("spec", spec);
        withStatus.getAdditionalProperties().put("status", Map.of("phase", "Hacked", "observedSize", 99));
        GenericKubernetesResource specUpdated = widgets.resource(withStatus).update();
        assertThat(Widgets.section(specUpdated, "spec")).containsEntry("size", 5);
        assertThat(Widgets.section(specUpdated, "status")).isEqualTo(Map.of("phase", "Ready", "observedSize", 3));
        assertThat(specUpdated.getMetadata().getGeneration()).isEqualTo(2L);

        // Status update that also tries to change spec: status changes, spec does not.
        Map<String, Object> sneakySpec = Widgets.copy(Widgets.section(specUpdated, "spec"));
        sneakySpec.put("size", 9);
        specUpdated.getAdditionalProperties().put("spec", sneakySpec);
        specUpdated.getAdditionalProperties().put("status", Map.of("phase", "Done", "observedSize", 5));
        widgets.resource(specUpdated).updateStatus();

        GenericKubernetesResource stored = widgets.withName("w").get();
        assertThat(Widgets.section(stored, "spec")).containsEntry("size", 5).containsEntry("color", "blue");
        assertThat(Widgets.section(stored, "status")).isEqualTo(Map.of("phase", "Done", "observedSize", 5));
        assertThat(stored.getMetadata().getGeneration()).isEqualTo(2L);
    }
}
