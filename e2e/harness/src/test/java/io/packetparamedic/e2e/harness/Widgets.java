package io.packetparamedic.e2e.harness;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The test CRD {@code widgets.e2e.packetparamedic.io} and typeless access to its objects. */
final class Widgets {

    static final String CRD_NAME = "widgets.e2e.packetparamedic.io";
    static final String API_VERSION = "e2e.packetparamedic.io/v1";

    /** Spelled out, so no discovery round trip (and no discovery cache) is involved. */
    static final ResourceDefinitionContext CONTEXT = new ResourceDefinitionContext.Builder()
            .withGroup("e2e.packetparamedic.io")
            .withVersion("v1")
            .withKind("Widget")
            .withPlural("widgets")
            .withNamespaced(true)
            .build();

    private Widgets() {}

    /** Creates or updates the CRD and waits until it is Established. Idempotent. */
    static List<String> install(KubernetesClient client) {
        try (InputStream in = Widgets.class.getResourceAsStream("/crds/" + CRD_NAME + ".yaml")) {
            return Crds.apply(client, in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static MixedOperation<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>>
            in(KubernetesClient client) {
        return client.genericKubernetesResources(CONTEXT);
    }

    static GenericKubernetesResource widget(String namespace, String name, Object size, Object color) {
        Map<String, Object> spec = new LinkedHashMap<>();
        if (size != null) {
            spec.put("size", size);
        }
        if (color != null) {
            spec.put("color", color);
        }
        return new GenericKubernetesResourceBuilder()
                .withApiVersion(API_VERSION)
                .withKind("Widget")
                .withNewMetadata()
                .withNamespace(namespace)
                .withName(name)
                .endMetadata()
                .addToAdditionalProperties("spec", spec)
                .build();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> section(GenericKubernetesResource r, String key) {
        Object v = r.getAdditionalProperties().get(key);
        return v == null ? null : (Map<String, Object>) v;
    }

    /** A mutable deep-enough copy of a section so updates do not alias the fetched object. */
    static Map<String, Object> copy(Map<String, Object> m) {
        return m == null ? new LinkedHashMap<>() : new LinkedHashMap<>(m);
    }
}
