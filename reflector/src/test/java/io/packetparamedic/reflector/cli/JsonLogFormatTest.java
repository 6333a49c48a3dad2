package io.packetparamedic.reflector.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code reflector serve} with JSON logs, selected by the environment (a pod spec) or by
 * {@code --log-format}: every stderr line is one JSON object with the keys
 * docs/observability.md#json-logs lists.
 */
class JsonLogFormatTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> KEYS = List.of("timestamp", "level", "loggerName", "threadName", "message");

    @TempDir
    Path dir;

    @Test
    void environmentSelectsJson() throws Exception {
        assertEveryLineIsAJsonEvent(serve(Map.of("REFLECTOR_LOG_FORMAT", "json")));
    }

    @Test
    void optionSelectsJson() throws Exception {
        assertEveryLineIsAJsonEvent(serve(Map.of(), "--log-format", "json"));
    }

    @Test
    void unknownFormatIsRefusedWithTheAcceptedValues() throws Exception {
        try (ServeProcess serve = ServeProcess.start(Map.of(), "--log-format", "xml", "show-config")) {
            assertThat(serve.process.waitFor()).isNotZero();
            serve.stop();
            assertThat(serve.stderr()).contains("--log-format").contains("text or json");
        }
    }

    private String serve(Map<String, String> env, String... options) throws Exception {
        Path config = Cli.configIn(
                dir, "[network]\nlisten_address = \"127.0.0.1:0\"\nlisten_address_health = \"127.0.0.1:0\"\n");
        // After the subcommand, as a pod's args would put it: the option is inherited.
        List<String> args = new java.util.ArrayList<>(List.of("-c", config.toString(), "serve"));
        args.addAll(List.of(options));
        try (ServeProcess serve =
                ServeProcess.start(env, args.toArray(String[]::new)).awaitBanner(Duration.ofSeconds(60))) {
            serve.stop();
            return serve.stderr();
        }
    }

    private static void assertEveryLineIsAJsonEvent(String stderr) throws Exception {
        List<String> lines = stderr.lines().toList();
        assertThat(lines).as("serve logs its start and its stop").hasSizeGreaterThanOrEqualTo(2);
        for (String line : lines) {
            JsonNode event = JSON.readTree(line);
            assertThat(event.isObject()).as(line).isTrue();
            for (String key : KEYS) {
                assertThat(event.path(key).isTextual())
                        .as("%s in %s", key, line)
                        .isTrue();
            }
            assertThat(Instant.parse(event.path("timestamp").asText()))
                    .isBefore(Instant.now().plusSeconds(1));
            assertThat(event.path("mdc").isObject()).as("mdc in %s", line).isTrue();
            assertThat(event.path("message").asText()).doesNotContain("{}");
        }
        assertThat(lines).anyMatch(l -> l.contains("event="));
    }
}
