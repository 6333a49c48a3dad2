package io.packetparamedic.e2e.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The log file of a process a test started, read for assertions and failure messages. */
final class ProcessLog {

    private ProcessLog() {}

    /** The whole log; a log not written yet reads as a note saying so, not as a failure. */
    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Its last {@code lines} lines, for a failure message. */
    static String tail(Path file, int lines) {
        List<String> all = read(file).lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }
}
