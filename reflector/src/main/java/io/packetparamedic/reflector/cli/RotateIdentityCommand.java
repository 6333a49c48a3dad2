package io.packetparamedic.reflector.cli;

import io.packetparamedic.api.config.ReflectorConfig;
import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.reflector.admin.AdminClient;
import io.packetparamedic.reflector.audit.AuditEvent;
import io.packetparamedic.reflector.audit.AuditEventType;
import io.packetparamedic.reflector.audit.AuditLog;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Replaces the identity key with a new one (saved atomically, mode 0600), prints the new Endpoint
 * ID and audits {@code identity_rotated} with the old and the new ID. A key file that is not a
 * valid key is refused rather than overwritten: it may be something the operator wants back.
 */
@Command(
        name = "rotate-identity",
        mixinStandardHelpOptions = true,
        description = "Generate a new identity key, replacing the current one, and print the new Endpoint ID.")
final class RotateIdentityCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ReflectorConfig config = ReflectorCli.root(spec).loadConfig(err).config();
        Path keyFile = config.privateKeyPath();

        String oldId = Files.exists(keyFile)
                ? Ed25519Identity.load(keyFile).endpointId().toString()
                : null;
        Ed25519Identity fresh = Ed25519Identity.generate();
        fresh.save(keyFile);
        String newId = fresh.endpointId().toString();

        Map<String, String> params = new LinkedHashMap<>();
        params.put("old_endpoint_id", oldId);
        params.put("new_endpoint_id", newId);
        AuditLog audit = AuditLog.of(config, newId, java.time.Clock.systemUTC());
        try {
            audit.record(AuditEvent.of(AuditEventType.IDENTITY_ROTATED).withParams(params));
        } finally {
            audit.close(); // drains the queue: the line is on disk (or failed) once this returns
        }
        long auditFailures = audit.failureCount();

        out.println(newId);
        out.flush();
        err.println("identity rotated: " + (oldId == null ? "(none)" : oldId) + " -> " + newId + "; key saved to "
                + keyFile);
        if (auditFailures > 0) {
            err.println("warning: could not write the audit log " + config.auditLogPath());
        }
        if (AdminClient.isServerRunning(AdminClient.socketPath(config))) {
            err.println("note: the running reflector keeps its current identity until it is restarted");
        }
        err.flush();
        return 0;
    }
}
