package io.packetparamedic.kubectl;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientTimeoutException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.packetparamedic.api.config.Durations;
import io.packetparamedic.api.crd.ReflectorInstance;
import io.packetparamedic.api.crd.ReflectorInstanceStatus;
import io.packetparamedic.api.time.Rfc3339;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * Identity rotation as docs/operations.md describes it (a new spec.identity.rotation value),
 * followed by watch until the pod serves the new Endpoint ID and the instance is Ready again.
 */
@Command(
        name = "rotate",
        mixinStandardHelpOptions = true,
        description = {
            "Give a reflector a new identity (Endpoint ID) and wait until its pod serves it.",
            "Appliances that pinned the old Endpoint ID must be told the new one."
        })
final class RotateCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @ParentCommand
    KubectlPacketParamedic root;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "INSTANCE", description = "The ReflectorInstance.")
    String instance;

    @Option(
            names = "--value",
            paramLabel = "TEXT",
            description = "The new spec.identity.rotation value (default: the current UTC time).")
    String value;

    /** The operator's own bound: a pod not serving the new ID after 10 minutes is no longer "rotating". */
    @Option(
            names = "--timeout",
            defaultValue = "10m",
            paramLabel = "DURATION",
            description =
                    "How long to wait for each step: the new identity issued, then served (default ${DEFAULT-VALUE}).")
    String timeout;

    @Override
    public Integer call() {
        Duration wait = Durations.parse(timeout);
        PrintWriter out = spec.commandLine().getOut();
        try (KubernetesClient client = root.cluster().connect()) {
            ReflectorInstance ri = Instances.require(client, instance);
            var identity = ri.getSpec() != null ? ri.getSpec().identity : null;
            if (identity != null && identity.existingSecret != null) {
                throw new PluginException(
                        ExitCodes.FAILED,
                        "reflector " + instance + " uses the existing Secret " + identity.existingSecret.name
                                + ": rotate by writing a new 32-byte seed into it");
            }
            String oldId = ri.getStatus() != null ? ri.getStatus().endpointId : null;
            if (oldId == null) {
                throw new PluginException(
                        ExitCodes.FAILED,
                        "reflector " + instance + " has no identity yet (status.endpointId is empty)");
            }
            String rotation = value != null ? value : Rfc3339.format(Instant.now());
            if (identity != null && rotation.equals(identity.rotation)) {
                throw new PluginException(
                        ExitCodes.FAILED,
                        "spec.identity.rotation is already \"" + rotation + "\": a rotation needs a new value");
            }
            Resource<ReflectorInstance> resource = Instances.resource(client, instance);
            resource.patch(PatchContext.of(PatchType.JSON_MERGE), rotationPatch(rotation));
            out.printf(
                    "Rotating %s: spec.identity.rotation=%s; old Endpoint ID %s%n", ri.instanceKey(), rotation, oldId);
            out.flush();

            ReflectorInstance issued = await(
                    resource,
                    wait,
                    "the operator to issue a new identity",
                    s -> s.endpointId != null && !s.endpointId.equals(oldId));
            String newId = issued.getStatus().endpointId;
            out.println("New identity issued: " + newId + "; waiting for the reflector pod to serve it");
            out.flush();
            await(
                    resource,
                    wait,
                    "the reflector to serve " + newId + " and be Ready",
                    s -> newId.equals(s.reportedEndpointId) && Instances.isTrue(s.conditions, "Ready"));
            out.println("Old Endpoint ID:  " + oldId);
            out.println("New Endpoint ID:  " + newId);
            out.println("The reflector serves the new identity and is Ready. Tell appliances that pinned the old ID.");
            out.flush();
            return ExitCodes.OK;
        }
    }

    private static String rotationPatch(String rotation) {
        ObjectNode patch = JSON.createObjectNode();
        patch.putObject("spec").putObject("identity").put("rotation", rotation);
        return patch.toString();
    }

    private ReflectorInstance await(
            Resource<ReflectorInstance> resource,
            Duration wait,
            String what,
            Predicate<ReflectorInstanceStatus> reached) {
        try {
            ReflectorInstance ri = resource.waitUntilCondition(
                    r -> r == null || r.getStatus() != null && reached.test(r.getStatus()),
                    wait.toMillis(),
                    TimeUnit.MILLISECONDS);
            if (ri == null)
                throw new PluginException(ExitCodes.FAILED, "reflectorinstance " + instance + " was deleted");
            return ri;
        } catch (KubernetesClientTimeoutException e) {
            ReflectorInstance now = resource.get();
            String ready = now == null
                    ? "deleted"
                    : Instances.condition(now.getStatus() != null ? now.getStatus().conditions : null, "Ready")
                            .map(c -> c.getReason() + ": " + c.getMessage())
                            .orElse("no Ready condition");
            throw new PluginException(
                    ExitCodes.TIMED_OUT,
                    "timed out after " + timeout + " waiting for " + what + " (Ready " + Objects.toString(ready) + ")");
        }
    }
}
