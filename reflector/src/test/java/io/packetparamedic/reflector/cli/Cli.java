package io.packetparamedic.reflector.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Runs the real CLI in-process, as {@link ReflectorCli#main} does, capturing stdout and stderr. */
final class Cli {

    record Result(int exitCode, String out, String err) {
        String outLine() {
            return out.strip();
        }
    }

    private Cli() {}

    static Result run(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        // As main builds it: with only the invoked subcommand where that is known.
        int code = ReflectorCli.commandLine(env, new PrintWriter(out, true), new PrintWriter(err, true), args)
                .execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    static Result run(String... args) {
        return run(Map.of(), args);
    }

    /** A config file keeping every path of the reflector under {@code dir}. */
    static Path configIn(Path dir, String extraToml) throws IOException {
        Path file = dir.resolve("reflector.toml");
        Files.writeString(
                file,
                "[identity]\nprivate_key_path = \"" + dir.resolve("state/identity.ed25519") + "\"\n"
                        + "[logging]\naudit_log_path = \"" + dir.resolve("state/audit.jsonl") + "\"\n" + extraToml);
        return file;
    }
}
