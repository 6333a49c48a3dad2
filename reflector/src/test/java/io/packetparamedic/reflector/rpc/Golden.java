package io.packetparamedic.reflector.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.Set;
import java.util.TreeSet;

/** The golden messages of the spec (copied to test resources) and a structural comparison. */
public final class Golden {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Golden() {}

    public static JsonNode read(String name) throws IOException {
        try (InputStream in = Golden.class.getResourceAsStream("/golden/" + name + ".json")) {
            if (in == null) throw new IOException("no golden file " + name);
            return JSON.readTree(in);
        }
    }

    public static byte[] bytes(String name) throws IOException {
        try (InputStream in = Golden.class.getResourceAsStream("/golden/" + name + ".json")) {
            if (in == null) throw new IOException("no golden file " + name);
            return in.readAllBytes();
        }
    }

    /** Same keys at every level, same nesting, same kind of value (a null in the golden file matches any kind). */
    public static void assertSameStructure(JsonNode actual, JsonNode golden, String path) {
        if (golden.isNull()) return;
        assertThat(actual.getNodeType()).as("kind of %s", path).isEqualTo(golden.getNodeType());
        if (golden.isObject()) {
            assertThat(names(actual)).as("keys of %s", path).isEqualTo(names(golden));
            golden.fields()
                    .forEachRemaining(
                            e -> assertSameStructure(actual.get(e.getKey()), e.getValue(), path + "." + e.getKey()));
        } else if (golden.isArray() && golden.size() > 0 && actual.size() > 0) {
            assertSameStructure(actual.get(0), golden.get(0), path + "[0]");
        }
    }

    private static Set<String> names(JsonNode n) {
        Set<String> s = new TreeSet<>();
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) s.add(it.next());
        return s;
    }
}
