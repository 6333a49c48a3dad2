package io.packetparamedic.packaging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.packetparamedic.e2e.harness.Exec;
import io.packetparamedic.e2e.harness.Repo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The Argo CD health customisations under {@code config/argocd/}, laid out as Argo CD keeps its
 * own: {@code <group>/<Kind>/health.lua}, {@code health_test.yaml} and {@code testdata/}.
 */
final class ArgoCdHealth {

    static final String GROUP = "packetparamedic.io";
    static final List<String> KINDS = List.of("ReflectorInstance", "AuthorizedPeer", "PairingWindow");
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** One entry of a health_test.yaml. */
    record Case(String kind, Path script, Path input, String expectedStatus, String expectedMessage) {}

    /** What a script returned. */
    record Health(String status, String message) {}

    private ArgoCdHealth() {}

    static Path dir() {
        return Repo.path("config/argocd");
    }

    static Path kindDir(String kind) {
        return dir().resolve(GROUP).resolve(kind);
    }

    static List<Case> cases(String kind) {
        Path kindDir = kindDir(kind);
        JsonNode tests = readYaml(kindDir.resolve("health_test.yaml")).path("tests");
        List<Case> cases = new ArrayList<>();
        for (JsonNode test : tests) {
            cases.add(new Case(
                    kind,
                    kindDir.resolve("health.lua"),
                    kindDir.resolve(test.path("inputPath").asText()),
                    test.path("healthStatus").path("status").asText(),
                    test.path("healthStatus").path("message").asText()));
        }
        return cases;
    }

    static JsonNode readYaml(Path file) {
        try {
            return YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot parse " + file, e);
        }
    }

    /**
     * Runs {@code script} in a real Lua 5.1 interpreter with the global {@code obj} set to the
     * object, as Argo CD does, and returns the table it returned.
     */
    static Health evaluate(Path script, JsonNode object) {
        String driver = "obj = " + LuaLiteral.of(object) + "\n"
                + "local check = assert(loadfile(" + LuaLiteral.string(script.toString()) + "))\n"
                + "local hs = check()\n"
                + "assert(type(hs) == 'table', 'the health script must return a table')\n"
                + "io.write(tostring(hs.status), '\\n', tostring(hs.message), '\\n')\n";
        Path driverFile;
        try {
            driverFile = Files.createTempFile("argocd-health", ".lua");
            Repo.write(driverFile, driver);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            Exec.Result result = Tools.run(
                            script.getParent(), null, List.of(Tools.lua().toString(), driverFile.toString()))
                    .orThrow();
            String[] lines = result.stdout().split("\n", -1);
            if (lines.length != 3 || !lines[2].isEmpty()) {
                throw new AssertionError("expected a status line and a message line, got:\n" + result);
            }
            return new Health(lines[0], lines[1]);
        } finally {
            try {
                Files.deleteIfExists(driverFile);
            } catch (IOException ignored) {
                // a temp file
            }
        }
    }
}
