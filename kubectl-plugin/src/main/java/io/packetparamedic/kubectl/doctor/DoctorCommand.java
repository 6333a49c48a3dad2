package io.packetparamedic.kubectl.doctor;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.packetparamedic.kubectl.ExitCodes;
import io.packetparamedic.kubectl.KubectlPacketParamedic;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** Checks an installation; every finding is one OK/WARN/FAIL line, and any FAIL makes the exit code 1. */
@Command(
        name = "doctor",
        mixinStandardHelpOptions = true,
        description = {
            "Check the installation: CRDs, the operator, Pod Security labels, host port conflicts, instance readiness.",
            "Looks at all namespaces unless -n is given. Exits 1 if any check FAILs."
        })
public final class DoctorCommand implements Callable<Integer> {

    static final String DEFAULT_OPERATOR_SELECTOR = "app.kubernetes.io/name=packetparamedic-operator";

    @ParentCommand
    KubectlPacketParamedic root;

    @Spec
    CommandSpec spec;

    @Option(
            names = "--operator-namespace",
            paramLabel = "NAMESPACE",
            description = "Where the operator runs (default: searched in all namespaces).")
    String operatorNamespace;

    @Option(
            names = "--operator-selector",
            paramLabel = "SELECTOR",
            defaultValue = DEFAULT_OPERATOR_SELECTOR,
            description = "Label selector of the operator's Deployment (default ${DEFAULT-VALUE}).")
    String operatorSelector;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        boolean failed = false;
        try (KubernetesClient client = root.cluster().connect()) {
            Scope scope = new Scope(client, root.cluster().explicitNamespace());
            List<Check> checks = List.of(
                    new CrdCheck(),
                    new OperatorCheck(Optional.ofNullable(operatorNamespace), operatorSelector),
                    new PodSecurityCheck(),
                    new PortConflictCheck(),
                    new InstanceReadyCheck());
            for (Check check : checks) {
                for (Finding f : check.run(scope)) {
                    out.printf("%-5s %-13s %s%n", f.level(), f.check(), f.reason());
                    failed |= f.level() == Finding.Level.FAIL;
                }
                out.flush();
            }
        }
        return failed ? ExitCodes.FAILED : ExitCodes.OK;
    }
}
