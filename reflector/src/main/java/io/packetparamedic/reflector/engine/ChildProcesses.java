package io.packetparamedic.reflector.engine;

import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Starts engine child processes (iperf3) so that they die with the reflector. Java cannot call
 * {@code prctl(PR_SET_PDEATHSIG)} between fork and exec, so the child is started through
 * util-linux's {@code setpriv --pdeathsig KILL}, which sets it and execs the program in the same
 * process (same pid). The kernel sends that signal when the <em>thread</em> that forked the child
 * ends, not the process, so every child is forked from one dedicated thread that lives as long as
 * the reflector: a pool thread that timed out would otherwise kill a running test. Without
 * {@code setpriv} (not Linux, or a minimal image) children start plainly and iperf3's
 * {@code --idle-timeout} remains the backstop.
 */
final class ChildProcesses {

    private static final Optional<String> SETPRIV = onPath("setpriv");
    private static final ExecutorService SPAWNER =
            Executors.newSingleThreadExecutor(new DefaultThreadFactory("child-spawner", true));

    private ChildProcesses() {}

    /** Whether children get the parent-death signal. */
    static boolean diesWithParent() {
        return SETPRIV.isPresent();
    }

    /**
     * Starts {@code command} (its first element a program name or path) with stdin piped and
     * stderr discarded.
     *
     * @throws IOException when the program cannot be found or started
     */
    static Process start(List<String> command) throws IOException {
        String program = command.get(0);
        if (onPath(program).isEmpty()) throw new IOException("not found or not executable");
        List<String> full = new ArrayList<>();
        SETPRIV.ifPresent(setpriv -> full.addAll(List.of(setpriv, "--pdeathsig", "KILL", "--")));
        full.addAll(command);
        Future<Process> started = SPAWNER.submit(() -> new ProcessBuilder(full)
                .redirectInput(ProcessBuilder.Redirect.PIPE)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start());
        try {
            return started.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) throw io;
            throw new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting " + program);
        }
    }

    /** The executable {@code program} names: a path as given, or the first match on {@code PATH}. */
    static Optional<String> onPath(String program) {
        if (program.contains(File.separator)) {
            return Files.isExecutable(Path.of(program)) ? Optional.of(program) : Optional.empty();
        }
        String path = System.getenv("PATH");
        if (path == null) return Optional.empty();
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) continue;
            Path candidate = Path.of(dir, program);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate))
                return Optional.of(candidate.toString());
        }
        return Optional.empty();
    }
}
