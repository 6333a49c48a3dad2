package io.packetparamedic.reflector.cli;

import io.packetparamedic.api.identity.Ed25519Identity;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * A real {@code reflector serve} (child JVM, real iperf3 and UDP echo engines) on fixed loopback
 * ports chosen free at creation, so a restart comes back at the same address; plus helpers to run
 * the client CLI against it with a given identity file.
 */
final class ServedReflector implements AutoCloseable {

    final Path dir;
    final Path config;
    final int controlPort;
    final int healthPort;
    private ServeProcess serve;
    private final StringBuilder earlierLogs = new StringBuilder();

    private ServedReflector(Path dir, Path config, int controlPort, int healthPort) {
        this.dir = dir;
        this.config = config;
        this.controlPort = controlPort;
        this.healthPort = healthPort;
    }

    /** {@code quotas} is the body of the [quotas] section (e.g. "cooldown_sec = 5\n"). */
    static ServedReflector start(Path dir, List<Ed25519Identity> clients, String quotas) throws Exception {
        Files.createDirectories(dir);
        int control = freePort();
        int health = freePort();
        int data = Math.min(freePort(), 65_000);
        String peers = clients.stream().map(c -> "\"" + c.endpointId() + "\"").collect(Collectors.joining(", "));
        Path config = Cli.configIn(
                dir,
                "[network]\nlisten_address = \"127.0.0.1:" + control + "\"\n"
                        + "listen_address_health = \"127.0.0.1:" + health + "\"\n"
                        + "data_port_range_start = " + data + "\ndata_port_range_end = " + (data + 15) + "\n"
                        + "[access]\nauthorized_peers = [" + peers + "]\n"
                        + "[quotas]\nmax_tests_per_hour_per_peer = 1000\n" + quotas);
        ServedReflector r = new ServedReflector(dir, config, control, health);
        r.launch();
        return r;
    }

    private void launch() throws Exception {
        serve = ServeProcess.start(Map.of(), "-c", config.toString(), "serve").awaitBanner(Duration.ofSeconds(60));
    }

    /** SIGTERM, then a new serve on the same config, identity and ports. */
    void restart() throws Exception {
        stop();
        startAgain();
    }

    /** SIGTERM; {@link #startAgain} brings it back on the same address. */
    void stop() throws InterruptedException {
        serve.stop();
        earlierLogs.append(serve.stdout()).append(serve.stderr());
    }

    void startAgain() throws Exception {
        launch();
    }

    String server() {
        return "127.0.0.1:" + controlPort;
    }

    /** Everything the reflector(s) logged so far. */
    String logs() {
        return earlierLogs + (serve.process.isAlive() ? serve.stdout() + serve.stderr() : "");
    }

    /** Waits up to {@code timeout} for a log line matching {@code match}. */
    String awaitLog(Predicate<String> match, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (String line : logs().split("\n")) if (match.test(line)) return line;
            if (System.nanoTime() > deadline)
                throw new AssertionError("no matching log line within " + timeout + "; logs:\n" + logs());
            TimeUnit.MILLISECONDS.sleep(50);
        }
    }

    /** The client CLI in-process against this reflector, with {@code identityFile}; the writers are the caller's. */
    static int client(Path identityFile, String server, PrintWriter out, PrintWriter err, String... args) {
        String[] full = new String[args.length + 5];
        full[0] = "client";
        full[1] = "-s";
        full[2] = server;
        full[3] = "-i";
        full[4] = identityFile.toString();
        System.arraycopy(args, 0, full, 5, args.length);
        return ReflectorCli.commandLine(Map.of(), out, err, full).execute(full);
    }

    /** The client CLI, output captured. */
    Cli.Result client(Path identityFile, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = client(identityFile, server(), new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Cli.Result(code, out.toString(), err.toString());
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (serve != null) serve.close();
    }
}
