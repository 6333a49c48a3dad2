package io.packetparamedic.reflector.cli;

import io.packetparamedic.api.config.ReflectorConfig;
import io.packetparamedic.reflector.admin.AdminClient;
import io.packetparamedic.reflector.admin.AdminProtocol;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Prints the running reflector's live figures, read through its admin socket. */
@Command(
        name = "status",
        mixinStandardHelpOptions = true,
        description = "Show the running reflector's live figures: uptime, connections, peers, pairing window, tests.")
final class StatusCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "Print the figures as one JSON object.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        ReflectorConfig config =
                ReflectorCli.root(spec).loadConfig(spec.commandLine().getErr()).config();
        AdminProtocol.LiveFigures s = AdminCalls.call(AdminClient.socketPath(config), AdminProtocol.Request.status())
                .status();
        if (json) {
            out.println(Output.JSON.writeValueAsString(s));
        } else {
            out.println("Endpoint ID:     " + s.endpointId());
            out.println("Uptime:          " + Output.duration(s.uptimeSec()));
            out.println("Connections:     " + s.connections());
            out.println("Peers:           " + s.authorizedPeers() + " authorized");
            out.println("Pairing window:  "
                    + (s.pairingWindow() == null
                            ? "closed"
                            : "open (" + s.pairingWindow().window() + ")"
                                    + (s.pairingWindow().expiresAt() == null
                                            ? ", no expiry"
                                            : " until " + s.pairingWindow().expiresAt())));
            AdminProtocol.ActiveTest t = s.activeTest();
            out.println("Active test:     "
                    + (t == null
                            ? "none"
                            : t.testType() + " " + t.testId() + " for " + t.peerId() + ", " + t.remainingSec()
                                    + "s left"));
            out.println("Tests today:     " + s.testsToday());
            out.println("Bytes today:     " + Output.bytes(s.bytesToday()));
        }
        out.flush();
        return 0;
    }
}
