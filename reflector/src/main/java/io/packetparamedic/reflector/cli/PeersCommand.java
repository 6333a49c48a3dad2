package io.packetparamedic.reflector.cli;

import io.packetparamedic.api.config.ReflectorConfig;
import io.packetparamedic.reflector.admin.AdminClient;
import io.packetparamedic.reflector.admin.AdminProtocol;
import io.packetparamedic.reflector.governance.PlainWords;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code reflector peers list|remove}: the running reflector's authorized peers, through its admin socket. */
@Command(
        name = "peers",
        mixinStandardHelpOptions = true,
        description = "List or remove the running reflector's authorized peers.",
        subcommands = {PeersCommand.ListPeers.class, PeersCommand.RemovePeer.class})
final class PeersCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: list or remove");
    }

    static Path socket(CommandSpec spec) {
        ReflectorConfig config =
                ReflectorCli.root(spec).loadConfig(spec.commandLine().getErr()).config();
        return AdminClient.socketPath(config);
    }

    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description = "Show every authorized peer: name, Endpoint ID, where its authorization comes from "
                    + "(config file or pairing), when it paired, when it was last seen, and its usage.")
    static final class ListPeers implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--json", description = "Print the peers as a JSON array.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            List<AdminProtocol.Peer> peers =
                    AdminCalls.call(socket(spec), AdminProtocol.Request.peers()).peers();
            if (json) {
                out.println(Output.JSON.writeValueAsString(peers));
            } else if (peers.isEmpty()) {
                out.println("No authorized peers. Pair one with: reflector pair");
            } else {
                // Usage: tests in the rolling hour (the hourly quota's count) and bytes in the UTC day.
                String row = "%-16s %-70s %-13s %-20s %-20s %-9s %s%n";
                out.printf(row, "NAME", "ENDPOINT ID", "SOURCE", "PAIRED AT", "LAST SEEN", "TESTS/1H", "BYTES TODAY");
                for (AdminProtocol.Peer p : peers) {
                    out.printf(
                            row,
                            dash(p.name()),
                            p.endpointId(),
                            p.source(),
                            dash(p.pairedAt()),
                            p.connections() > 0 ? "connected now" : dash(p.lastSeen()),
                            p.testsLastHour(),
                            PlainWords.bytes(p.bytesToday()));
                }
            }
            out.flush();
            return 0;
        }

        private static String dash(String s) {
            return s == null || s.isEmpty() ? "-" : s;
        }
    }

    @Command(
            name = "remove",
            mixinStandardHelpOptions = true,
            description = "Remove a paired peer: it loses access at once and its open connections are closed. "
                    + "Peers listed in the configuration file are removed by editing the file.")
    static final class RemovePeer implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(
                paramLabel = "PEER",
                description = "The peer's name, Endpoint ID, or an unambiguous start of it "
                        + "(at least 7 characters, e.g. PP-7DN2).")
        String peer;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            AdminProtocol.RemovedPeer removed = AdminCalls.call(socket(spec), AdminProtocol.Request.removePeer(peer))
                    .removed();
            out.println("Removed peer " + removed.endpointId() + " (" + removed.connectionsClosed()
                    + (removed.connectionsClosed() == 1 ? " connection" : " connections") + " closed).");
            out.flush();
            return 0;
        }
    }
}
