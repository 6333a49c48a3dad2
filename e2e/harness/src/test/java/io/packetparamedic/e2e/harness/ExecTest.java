package io.packetparamedic.e2e.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExecTest {

    @Test
    void keepsStdoutStderrAndTheExitCodeAndFeedsStdin(@TempDir Path dir) throws Exception {
        Exec.Result r = Exec.of("sh", "-c", "cat; echo \"$GREETING in $(pwd)\"; echo oops >&2; exit 3")
                .in(dir)
                .input("from stdin\n")
                .env(Map.of("GREETING", "hello"))
                .run();

        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.ok()).isFalse();
        assertThat(r.stdout()).isEqualTo("from stdin\nhello in " + dir.toRealPath() + "\n");
        assertThat(r.stderr()).isEqualTo("oops\n");
        assertThatThrownBy(r::orThrow)
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("exit 3")
                .hasMessageContaining("oops");
    }

    @Test
    void withoutInputStdinIsEmptyAndAnUnsetVariableIsGone() {
        Exec.Result r = Exec.of("sh", "-c", "cat; echo \"[${HOME-unset}]\"")
                .unset("HOME")
                .run()
                .orThrow();

        assertThat(r.stdout()).isEqualTo("[unset]\n");
    }

    @Test
    void stderrMergedIntoStdoutOrAppendedToALog(@TempDir Path dir) throws Exception {
        assertThat(Exec.of("sh", "-c", "echo one; echo two >&2; echo three")
                        .mergeStderr()
                        .run()
                        .stdout())
                .isEqualTo("one\ntwo\nthree\n");

        Path log = dir.resolve("logs/script.log");
        Exec.of("sh", "-c", "echo first >&2").stderrTo(log).run().orThrow();
        Exec.Result second = Exec.of("sh", "-c", "echo out; echo second >&2")
                .stderrTo(log)
                .run()
                .orThrow();
        assertThat(second.stdout()).isEqualTo("out\n");
        assertThat(second.stderr()).isEmpty();
        assertThat(Files.readString(log)).isEqualTo("first\nsecond\n");
    }

    @Test
    void aProgramOverItsTimeIsKilledAndNamed() {
        long started = System.nanoTime();
        assertThatThrownBy(() ->
                        Exec.of("sleep", "30").timeout(Duration.ofMillis(300)).run())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("`sleep 30` did not finish within PT0.3S");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void aMissingProgramSaysWhichCommandCouldNotStart() {
        assertThatThrownBy(() -> Exec.of("no-such-program-pp", "x").run())
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("cannot run `no-such-program-pp x`");
    }
}
