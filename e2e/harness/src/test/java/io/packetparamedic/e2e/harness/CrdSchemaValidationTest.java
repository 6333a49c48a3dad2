package io.packetparamedic.e2e.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The API server enforces a CRD's structural schema (validation and pruning). */
@KubeCluster
class CrdSchemaValidationTest {

    @Test
    void objectViolatingTheSchemaIsRejectedWithTheSchemaMessage(KubernetesClient client, TestNamespace ns) {
        assertThat(Widgets.install(client)).containsExactly(Widgets.CRD_NAME);
        CustomResourceDefinition crd = Crds.awaitEstablished(client, Widgets.CRD_NAME, Duration.ofSeconds(30));
        assertThat(crd.getStatus().getAcceptedNames().getKind()).isEqualTo("Widget");

        KubernetesClientException tooBig = catchThrowableOfType(
                KubernetesClientException.class,
                () -> Widgets.in(client)
                        .inNamespace(ns.name())
                        .resource(Widgets.widget(ns.name(), "too-big", 42, "purple"))
                        .create());

        assertThat(tooBig).as("a schema violation must be refused").isNotNull();
        assertThat(tooBig.getCode()).isEqualTo(422);
        assertThat(tooBig.getStatus().getReason()).isEqualTo("Invalid");
        assertThat(tooBig.getMessage())
                .contains("spec.size")
                .contains("should be less than or equal to 10")
                .contains("spec.color")
                .contains("Unsupported value: \"purple\"");

        KubernetesClientException missing = catchThrowableOfType(
                KubernetesClientException.class,
                () -> Widgets.in(client)
                        .inNamespace(ns.name())
                        .resource(Widgets.widget(ns.name(), "no-color", 3, null))
                        .create());
        assertThat(missing).isNotNull();
        assertThat(missing.getCode()).isEqualTo(422);
        assertThat(missing.getMessage()).contains("spec.color").contains("Required value");
    }

    @Test
    void validObjectIsAcceptedAndUnknownFieldsArePruned(KubernetesClient client, TestNamespace ns) {
        Widgets.install(client);
        GenericKubernetesResource w = Widgets.widget(ns.name(), "ok", 3, "blue");
        Widgets.section(w, "spec").put("notInSchema", "dropped");

        GenericKubernetesResource created =
                Widgets.in(client).inNamespace(ns.name()).resource(w).create();

        // A structural schema means the server prunes what it does not describe.
        assertThat(Widgets.section(created, "spec")).isEqualTo(Map.of("size", 3, "color", "blue"));
    }
}
