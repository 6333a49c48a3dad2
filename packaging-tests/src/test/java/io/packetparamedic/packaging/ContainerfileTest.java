package io.packetparamedic.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.packetparamedic.e2e.harness.Repo;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A syntax and consistency check of reflector/Containerfile. There is no container engine here to
 * run it; {@link LocalImagesTest} checks the image e2e/hack/images.sh builds from its facts.
 */
class ContainerfileTest {

    record Instruction(String keyword, String arguments) {}

    static final Set<String> KEYWORDS = Set.of(
            "FROM",
            "RUN",
            "COPY",
            "ADD",
            "USER",
            "WORKDIR",
            "EXPOSE",
            "ENV",
            "ENTRYPOINT",
            "CMD",
            "LABEL",
            "ARG",
            "VOLUME",
            "HEALTHCHECK",
            "STOPSIGNAL",
            "SHELL",
            "ONBUILD");

    /** Instructions with comments dropped and backslash continuations joined. */
    static List<Instruction> parse(String text) {
        List<Instruction> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.startsWith("#") || (line.isEmpty() && current.length() == 0)) {
                continue;
            }
            if (line.endsWith("\\")) {
                current.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            current.append(line);
            String joined = current.toString().strip();
            current.setLength(0);
            if (joined.isEmpty()) {
                continue;
            }
            String[] parts = joined.split("\\s+", 2);
            out.add(new Instruction(parts[0], parts.length > 1 ? parts[1] : ""));
        }
        assertThat(current.toString()).as("dangling line continuation").isBlank();
        return out;
    }

    @Test
    void reflectorImageIsDebianSlimJava17Iperf3NonRootWithTheJarAsEntrypoint() throws Exception {
        List<Instruction> instructions = parse(Repo.read(Repo.path("reflector/Containerfile")));
        assertThat(instructions).extracting(Instruction::keyword).allMatch(KEYWORDS::contains);
        assertThat(instructions.get(0).keyword()).isEqualTo("FROM");
        assertThat(instructions.get(0).arguments()).matches("docker\\.io/library/debian:[a-z]+-slim");

        String runs = String.join(
                "\n",
                instructions.stream()
                        .filter(i -> i.keyword().equals("RUN"))
                        .map(Instruction::arguments)
                        .toList());
        assertThat(runs).contains("openjdk-17-jre-headless", "iperf3", "rm -rf /var/lib/apt/lists/*");

        List<Instruction> users =
                instructions.stream().filter(i -> i.keyword().equals("USER")).toList();
        assertThat(users).isNotEmpty();
        String user = users.get(users.size() - 1).arguments();
        assertThat(user).as("numeric, so runAsNonRoot can verify it").matches("[1-9][0-9]*(:[0-9]+)?");
        // The operator's reflector Deployment runs as this UID.
        assertThat(Repo.read(Repo.path(
                        "operator/src/main/java/io/packetparamedic/operator/ReflectorDeploymentDependent.java")))
                .contains("RUN_AS = " + user.split(":")[0] + "L");

        Instruction copy = instructions.stream()
                .filter(i -> i.keyword().equals("COPY"))
                .findFirst()
                .orElseThrow();
        String[] copyArgs = copy.arguments().split("\\s+");
        assertThat(copyArgs[0]).as("the shaded jar the reflector module builds").isEqualTo("target/reflector.jar");
        assertThat(Repo.read(Repo.path("reflector/pom.xml"))).contains("<finalName>reflector</finalName>");

        List<String> args = entrypoint(instructions);
        assertThat(args.get(0)).isEqualTo("java");
        assertThat(args).containsSubsequence("-jar", copyArgs[1]);

        Instruction cmd = instructions.stream()
                .filter(i -> i.keyword().equals("CMD"))
                .reduce((a, b) -> b)
                .orElseThrow();
        assertThat(new ObjectMapper().readTree(cmd.arguments()).get(0).asText()).isEqualTo("serve");
    }

    /** The image's JVM flags are the launcher's (reflector/src/main/dist/reflector), the heap cap aside. */
    @Test
    void reflectorImageRunsTheJvmWithTheLaunchersFlags() throws Exception {
        String launcher = Repo.read(Repo.path("reflector/src/main/dist/reflector"));
        Matcher block = Pattern.compile("(?ms)^flags=\\(\n(.*?)^\\)").matcher(launcher);
        assertThat(block.find()).as("the launcher's flags=( ... ) array").isTrue();
        List<String> launcherFlags = List.of(block.group(1).strip().split("\\s+"));
        assertThat(launcherFlags)
                .contains("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1")
                .anyMatch(f -> f.startsWith("-Xmx"));

        List<Instruction> instructions = parse(Repo.read(Repo.path("reflector/Containerfile")));
        List<String> args = entrypoint(instructions);
        List<String> jvmFlags = args.subList(1, args.indexOf("-jar"));
        assertThat(jvmFlags)
                .containsAll(launcherFlags.stream()
                        .filter(f -> !f.startsWith("-Xmx"))
                        .toList());
        assertThat(jvmFlags)
                .as("the heap follows the container's memory limit instead of the launcher's cap")
                .noneMatch(f -> f.startsWith("-Xmx"))
                .anyMatch(f -> f.startsWith("-XX:MaxRAMPercentage="));

        Matcher arenas = Pattern.compile("MALLOC_ARENA_MAX:-([0-9]+)").matcher(launcher);
        assertThat(arenas.find()).as("the launcher's MALLOC_ARENA_MAX default").isTrue();
        assertThat(instructions)
                .filteredOn(i -> i.keyword().equals("ENV"))
                .extracting(Instruction::arguments)
                .contains("MALLOC_ARENA_MAX=" + arenas.group(1));
    }

    /** The last ENTRYPOINT's arguments; it must be in exec form, so that signals reach the JVM directly. */
    static List<String> entrypoint(List<Instruction> instructions) throws Exception {
        Instruction entrypoint = instructions.stream()
                .filter(i -> i.keyword().equals("ENTRYPOINT"))
                .reduce((a, b) -> b)
                .orElseThrow();
        JsonNode exec = new ObjectMapper().readTree(entrypoint.arguments());
        assertThat(exec.isArray())
                .as("exec form: signals reach the JVM directly")
                .isTrue();
        List<String> args = new ArrayList<>();
        exec.forEach(a -> args.add(a.asText()));
        return args;
    }
}
