package io.packetparamedic.kubectl;

import io.packetparamedic.kubectl.doctor.DoctorCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code kubectl packetparamedic}: kubectl runs {@code kubectl-packetparamedic} from PATH with the
 * remaining arguments, so this is an ordinary command line program with kubectl's cluster flags.
 */
@Command(
        name = "kubectl packetparamedic",
        mixinStandardHelpOptions = true,
        versionProvider = PluginVersion.class,
        description = "Pair appliances with, inspect, rotate and check PacketParamedic reflectors on Kubernetes.",
        subcommands = {
            PairCommand.class,
            StatusCommand.class,
            RotateCommand.class,
            DoctorCommand.class,
            CommandLine.HelpCommand.class
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:done",
            "1:the operation failed (window expired or failed, doctor found a FAIL, API error)",
            "2:invalid command line",
            "3:timed out waiting for the operator or the reflector",
            "130:interrupted (Ctrl-C)"
        })
public final class KubectlPacketParamedic implements Runnable {

    /** The cluster flags, accepted before or after the subcommand as kubectl accepts them. */
    @Mixin
    ClusterOptions cluster;

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with this plugin's error handling; tests run it in-process. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new KubectlPacketParamedic());
        cl.setExecutionExceptionHandler(new OneLineErrors());
        return cl;
    }

    public ClusterOptions cluster() {
        return cluster;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(
                spec.commandLine(), "missing a command: pair, status, rotate or doctor");
    }
}
