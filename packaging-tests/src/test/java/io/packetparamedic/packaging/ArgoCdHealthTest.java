package io.packetparamedic.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.packetparamedic.e2e.harness.Repo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/** The Argo CD health scripts, run by a real Lua 5.1 interpreter against their test objects. */
class ArgoCdHealthTest {

    @TestFactory
    Stream<DynamicTest> everyHealthTestCaseGivesTheExpectedStatusAndMessage() {
        return ArgoCdHealth.KINDS.stream()
                .flatMap(kind -> ArgoCdHealth.cases(kind).stream())
                .map(c -> DynamicTest.dynamicTest(c.kind() + " " + c.input().getFileName(), () -> {
                    ArgoCdHealth.Health health = ArgoCdHealth.evaluate(c.script(), ArgoCdHealth.readYaml(c.input()));
                    assertThat(health.status()).as("status for %s", c.input()).isEqualTo(c.expectedStatus());
                    assertThat(health.message()).as("message for %s", c.input()).isEqualTo(c.expectedMessage());
                }));
    }

    @Test
    void eachKindHasAScriptWhoseTestsCoverHealthyProgressingAndDegraded() {
        for (String kind : ArgoCdHealth.KINDS) {
            Path dir = ArgoCdHealth.kindDir(kind);
            assertThat(dir.resolve("health.lua")).isRegularFile();
            Set<String> statuses = new TreeSet<>();
            for (ArgoCdHealth.Case c : ArgoCdHealth.cases(kind)) {
                statuses.add(c.expectedStatus());
                assertThat(c.input()).as("inputPath of %s", kind).isRegularFile();
                JsonNode object = ArgoCdHealth.readYaml(c.input());
                assertThat(object.path("apiVersion").asText()).isEqualTo(ArgoCdHealth.GROUP + "/v1alpha1");
                assertThat(object.path("kind").asText()).isEqualTo(kind);
            }
            assertThat(statuses).as("statuses covered for %s", kind).contains("Healthy", "Progressing", "Degraded");
        }
    }

    @Test
    void everyTestdataFileIsUsedByATestCase() {
        for (String kind : ArgoCdHealth.KINDS) {
            List<Path> used = ArgoCdHealth.cases(kind).stream()
                    .map(ArgoCdHealth.Case::input)
                    .map(Path::normalize)
                    .toList();
            List<Path> present = Repo.files(ArgoCdHealth.kindDir(kind).resolve("testdata"), ".*\\.ya?ml");
            assertThat(used).as("test cases of %s", kind).containsExactlyInAnyOrderElementsOf(present);
        }
    }

    @Test
    void aDegradedConditionWinsOverAReadyOneAndStatusWithoutConditionsIsProgressing() throws Exception {
        // Not in testdata: these guard the order of the checks rather than describe a real object.
        Path script = ArgoCdHealth.kindDir("ReflectorInstance").resolve("health.lua");
        ObjectNode object = (ObjectNode)
                ArgoCdHealth.readYaml(ArgoCdHealth.kindDir("ReflectorInstance").resolve("testdata/healthy.yaml"));
        ((ObjectNode) object.path("status").path("conditions").get(3))
                .put("status", "True")
                .put("message", "broken");
        assertThat(ArgoCdHealth.evaluate(script, object)).isEqualTo(new ArgoCdHealth.Health("Degraded", "broken"));

        ((ObjectNode) object.path("status")).remove("conditions");
        assertThat(ArgoCdHealth.evaluate(script, object).status()).isEqualTo("Progressing");
        assertThat(Files.readString(script)).doesNotContain("os.", "io.", "require");
    }

    @Test
    void luaLiteralKeepsKeysStringsNumbersAndUnicodeIntact(@TempDir Path dir) {
        JsonNode object = ArgoCdHealth.YAML
                .createObjectNode()
                .put("quote\"back\\slash", "\u00e9\t19")
                .put("n", 42)
                .set("list", ArgoCdHealth.YAML.createArrayNode().add("a").add(true));
        Path script = dir.resolve("echo.lua");
        Repo.write(
                script,
                "return { status = obj[\"quote\\\"back\\\\slash\"],"
                        + " message = tostring(obj.n + 1) .. obj.list[1] .. tostring(obj.list[2]) .. #obj.list }\n");
        assertThat(ArgoCdHealth.evaluate(script, object)).isEqualTo(new ArgoCdHealth.Health("\u00e9\t19", "43atrue2"));
    }
}
