package io.packetparamedic.api.crd;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.packetparamedic.api.config.ReflectorConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What the checked-in CRDs (kept equal to the Java types by {@link CrdDriftTest}) teach and
 * default: every field a user or a status reader meets has a description, and every schema
 * default is the value the reflector would use anyway.
 */
class CrdSchemaTest {

    private static final KubernetesSerialization YAML = new KubernetesSerialization();
    private static final ReflectorConfig REFLECTOR_DEFAULTS = new ReflectorConfig();

    /**
     * Standard Kubernetes types embedded as they are: their own fields are documented by
     * {@code kubectl explain pod.spec...}; the field holding them must still have a description.
     */
    private static final Set<String> KUBERNETES_TYPES = Set.of(
            "spec.affinity",
            "spec.tolerations[]",
            "spec.placement.tolerations[]",
            "spec.resources",
            "spec.reflectorSelector");

    @Test
    void everyPropertyHasADescription() throws IOException {
        List<String> undescribed = new ArrayList<>();
        int described = 0;
        for (String name : CrdDriftTest.CRDS) {
            JSONSchemaProps root = schema(name);
            for (String top : List.of("spec", "status")) {
                described += walk(name, top, root.getProperties().get(top), undescribed);
            }
        }
        assertThat(undescribed).as("properties without a description").isEmpty();
        assertThat(described).as("properties checked").isGreaterThan(100);
    }

    /** Counts the described properties under {@code schema} (itself excluded), collecting the others. */
    private static int walk(String crd, String path, JSONSchemaProps schema, List<String> undescribed) {
        if (KUBERNETES_TYPES.contains(path)) return 0;
        int count = 0;
        if (schema.getProperties() != null) {
            for (Map.Entry<String, JSONSchemaProps> e : schema.getProperties().entrySet()) {
                String child = path + "." + e.getKey();
                String description = e.getValue().getDescription();
                if (description == null || description.isBlank()) {
                    undescribed.add(crd + ": " + child);
                } else {
                    count++;
                }
                count += walk(crd, child, e.getValue(), undescribed);
            }
        }
        if (schema.getItems() != null && schema.getItems().getSchema() != null) {
            count += walk(crd, path + "[]", schema.getItems().getSchema(), undescribed);
        }
        return count;
    }

    /**
     * kubectl explain prints descriptions but not schema defaults, so each description states its
     * default as "Default: <value>." (an object default, the port range, as its values joined by
     * '-'); this keeps the two in agreement.
     */
    @Test
    void everyDefaultIsStatedInItsDescription() throws IOException {
        List<StatedDefault> defaults = new ArrayList<>();
        for (String name : CrdDriftTest.CRDS) {
            collectDefaults(name + ": spec", schema(name).getProperties().get("spec"), defaults);
        }
        assertThat(defaults)
                .as("properties with a schema default")
                .hasSizeGreaterThan(15)
                .allSatisfy(d -> assertThat(d.description()).as(d.path()).contains("Default: " + d.value() + "."));
    }

    private record StatedDefault(String path, String value, String description) {}

    private static void collectDefaults(String path, JSONSchemaProps schema, List<StatedDefault> out) {
        if (schema.getProperties() == null) return;
        for (Map.Entry<String, JSONSchemaProps> e : schema.getProperties().entrySet()) {
            JSONSchemaProps child = e.getValue();
            if (child.getDefault() != null) {
                List<String> values = new ArrayList<>();
                child.getDefault().elements().forEachRemaining(v -> values.add(v.asText()));
                String value = child.getDefault().isObject()
                        ? String.join("-", values)
                        : child.getDefault().asText();
                out.add(new StatedDefault(path + "." + e.getKey(), value, child.getDescription()));
            }
            collectDefaults(path + "." + e.getKey(), child, out);
        }
    }

    @Test
    void theWalkSeesAMissingDescription() {
        // Guards the test above: a walker that never descended would pass on any CRD.
        JSONSchemaProps leaf = new JSONSchemaProps();
        leaf.setType("integer");
        JSONSchemaProps item = new JSONSchemaProps();
        item.setDescription("an item");
        item.setProperties(Map.of("port", leaf));
        JSONSchemaProps list = new JSONSchemaProps();
        list.setDescription("a list");
        list.setItems(new io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaPropsOrArray(List.of(), item));
        JSONSchemaProps spec = new JSONSchemaProps();
        spec.setProperties(Map.of("sessions", list));
        List<String> undescribed = new ArrayList<>();
        assertThat(walk("test", "spec", spec, undescribed)).isEqualTo(1);
        assertThat(undescribed).containsExactly("test: spec.sessions[].port");
    }

    @Test
    void instanceDefaultsAreTheReflectorsDefaults() throws IOException {
        JSONSchemaProps spec = schema(CrdDriftTest.CRDS.get(0)).getProperties().get("spec");
        ReflectorConfig.Network network = REFLECTOR_DEFAULTS.network;
        ReflectorConfig.Quotas quotas = REFLECTOR_DEFAULTS.quotas;
        assertThat(defaultOf(spec, "network.hostNetwork"))
                .as("the operator's hostNetwork default")
                .isEqualTo("true");
        assertThat(defaultOf(spec, "network.controlPort")).isEqualTo(port(network.listenAddress));
        assertThat(defaultOf(spec, "network.healthPort")).isEqualTo(port(network.listenAddressHealth));
        assertThat(defaultOf(spec, "network.dataPortRange"))
                .isEqualTo("{\"start\":" + network.dataPortRangeStart + ",\"end\":" + network.dataPortRangeEnd + "}");
        assertThat(defaultOf(spec, "network.mode")).isEqualTo(network.mode);
        assertThat(defaultOf(spec, "network.requireAlpn")).isEqualTo(String.valueOf(network.requireAlpn));
        assertThat(defaultOf(spec, "quotas.maxTestDurationSec")).isEqualTo(String.valueOf(quotas.maxTestDurationSec));
        assertThat(defaultOf(spec, "quotas.maxConcurrentTests")).isEqualTo(String.valueOf(quotas.maxConcurrentTests));
        assertThat(defaultOf(spec, "quotas.maxTestsPerHourPerPeer"))
                .isEqualTo(String.valueOf(quotas.maxTestsPerHourPerPeer));
        assertThat(defaultOf(spec, "quotas.maxBytesPerDayPerPeer"))
                .isEqualTo(String.valueOf(quotas.maxBytesPerDayPerPeer));
        assertThat(defaultOf(spec, "quotas.cooldownSec")).isEqualTo(String.valueOf(quotas.cooldownSec));
        assertThat(defaultOf(spec, "quotas.allowUdpEcho")).isEqualTo(String.valueOf(quotas.allowUdpEcho));
        assertThat(defaultOf(spec, "quotas.allowThroughput")).isEqualTo(String.valueOf(quotas.allowThroughput));
        assertThat(defaultOf(spec, "quotas.udpEchoMaxPacketRate"))
                .isEqualTo(String.valueOf(quotas.udpEchoMaxPacketRate));
        assertThat(defaultOf(spec, "iperf3.maxStreams"))
                .isEqualTo(String.valueOf(REFLECTOR_DEFAULTS.iperf3.maxStreams));
        assertThat(defaultOf(spec, "logLevel")).isEqualTo(REFLECTOR_DEFAULTS.logging.level);
        // Absent, defaultStreams is min(4, maxStreams): no fixed value to declare.
        assertThat(defaultOf(spec, "iperf3.defaultStreams")).isNull();
    }

    @Test
    void windowAndPeerDefaultsAreTheOperatorsDefaults() throws IOException {
        JSONSchemaProps window =
                schema(CrdDriftTest.CRDS.get(2)).getProperties().get("spec");
        assertThat(defaultOf(window, "ttl")).isEqualTo(PairingWindowSpec.DEFAULT_TTL);
        JSONSchemaProps peer = schema(CrdDriftTest.CRDS.get(1)).getProperties().get("spec");
        assertThat(defaultOf(peer, "disabled")).isEqualTo("false");
    }

    @Test
    void ttlPatternTakesGoStyleCompoundDurations() {
        java.util.regex.Pattern ttl = java.util.regex.Pattern.compile(PairingWindowSpec.TTL_PATTERN);
        assertThat(List.of("10m", "90s", "2h", "1d", "1h30m", "1m30s", "1d12h", "7d", "12s"))
                .allMatch(v -> ttl.matcher(v).matches());
        assertThat(List.of("90 minutes", "1.5h", "30m1h", "h", "-1m", "10", "1w", "123456s"))
                .noneMatch(v -> ttl.matcher(v).matches());
    }

    private static String defaultOf(JSONSchemaProps schema, String dottedPath) {
        JSONSchemaProps at = schema;
        for (String part : dottedPath.split("\\.")) {
            assertThat(at.getProperties()).as("properties above %s", dottedPath).containsKey(part);
            at = at.getProperties().get(part);
        }
        if (at.getDefault() == null) return null;
        // JSON text for numbers, booleans and objects; a string default without its quotes.
        return at.getDefault().isTextual()
                ? at.getDefault().asText()
                : at.getDefault().toString();
    }

    private static String port(String hostPort) {
        return hostPort.substring(hostPort.lastIndexOf(':') + 1);
    }

    private static JSONSchemaProps schema(String name) throws IOException {
        Path file = Path.of(System.getProperty("crds.dir", "../crds")).resolve(name);
        CustomResourceDefinition crd =
                YAML.unmarshal(Files.readString(file, StandardCharsets.UTF_8), CustomResourceDefinition.class);
        return crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema();
    }
}
