package io.packetparamedic.kubectl;

import io.packetparamedic.e2e.harness.KubeTestCluster;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine;

/** Runs the plugin in-process against the harness cluster, as kubectl would run it with --kubeconfig. */
final class Plugin {

    record Result(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /** A run in progress: its output so far, and its result once it returns. */
    record Running(StringWriter out, CompletableFuture<Result> result) {}

    private Plugin() {}

    static Result run(KubeTestCluster cluster, String... args) {
        return start(cluster, args).result().join();
    }

    static Running start(KubeTestCluster cluster, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--kubeconfig=" + cluster.kubeconfigPath());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = KubectlPacketParamedic.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return new Running(
                out,
                CompletableFuture.supplyAsync(
                        () -> new Result(cl.execute(all.toArray(String[]::new)), out.toString(), err.toString())));
    }
}
