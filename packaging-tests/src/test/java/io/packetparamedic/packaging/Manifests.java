package io.packetparamedic.packaging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/** A multi-document YAML stream of Kubernetes objects, as helm template and kustomize build print. */
record Manifests(String yaml, List<JsonNode> objects) {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    static Manifests parse(String yaml) {
        List<JsonNode> objects = new ArrayList<>();
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(yaml)) {
            while (it.hasNext()) {
                JsonNode node = it.next();
                // Documents holding only comments (e.g. a range that rendered nothing) parse as empty.
                if (node != null && node.isObject() && node.size() > 0) {
                    objects.add(node);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("not a YAML stream:\n" + yaml, e);
        }
        return new Manifests(yaml, List.copyOf(objects));
    }

    static String kind(JsonNode o) {
        return o.path("kind").asText();
    }

    static String name(JsonNode o) {
        return o.path("metadata").path("name").asText();
    }

    static String namespace(JsonNode o) {
        return o.path("metadata").path("namespace").asText(null);
    }

    List<JsonNode> ofKind(String kind) {
        return objects.stream().filter(o -> kind(o).equals(kind)).toList();
    }

    Optional<JsonNode> find(String kind, Predicate<JsonNode> predicate) {
        return ofKind(kind).stream().filter(predicate).findFirst();
    }

    JsonNode one(String kind, String name) {
        List<JsonNode> found =
                ofKind(kind).stream().filter(o -> name(o).equals(name)).toList();
        if (found.size() != 1) {
            throw new AssertionError("expected one " + kind + " " + name + ", found " + found.size() + " in\n" + yaml);
        }
        return found.get(0);
    }

    /** kind/namespace/name of every object, for messages and set comparisons. */
    List<String> ids() {
        return objects.stream()
                .map(o -> kind(o) + "/"
                        + Optional.ofNullable(namespace(o)).map(n -> n + "/").orElse("") + name(o))
                .toList();
    }
}
