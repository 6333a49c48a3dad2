package io.packetparamedic.reflector.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** An audit log read back by a test: every line must be whole JSON, or the test fails naming it. */
final class AuditLines {

    private static final ObjectMapper JSON = new ObjectMapper();

    private AuditLines() {}

    static List<JsonNode> read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError("cannot read the audit log " + file, e);
        }
        List<JsonNode> out = new ArrayList<>();
        for (String line : lines) {
            try {
                out.add(JSON.readTree(line));
            } catch (IOException e) {
                throw new AssertionError("audit line is not whole JSON: " + line, e);
            }
        }
        return out;
    }
}
