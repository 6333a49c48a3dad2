package io.packetparamedic.kubectl;

import io.fabric8.kubernetes.client.KubernetesClientException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/** Every failure as one {@code error: ...} line on stderr; a stack trace is of no use to a kubectl user. */
final class OneLineErrors implements IExecutionExceptionHandler {

    @Override
    public int handleExecutionException(Exception e, CommandLine cl, ParseResult parsed) {
        String message;
        int code = ExitCodes.FAILED;
        if (e instanceof PluginException p) {
            message = p.getMessage();
            code = p.exitCode();
        } else if (e instanceof KubernetesClientException k) {
            message = describe(k);
        } else {
            message = e.getClass().getSimpleName() + ": " + e.getMessage();
        }
        cl.getErr().println("error: " + message);
        cl.getErr().flush();
        return code;
    }

    private static String describe(KubernetesClientException k) {
        if (k.getCode() == 0 && k.getCause() != null) {
            Throwable root = k;
            while (root.getCause() != null) root = root.getCause();
            return "cannot reach the API server: " + root.getClass().getSimpleName() + (root.getMessage() != null ? ": " + root.getMessage() : "");
        }
        String reason = k.getStatus() != null && k.getStatus().getMessage() != null ? k.getStatus().getMessage() : k.getMessage();
        if (k.getCode() == 404 && reason != null && reason.contains("packetparamedic.io")) {
            return reason + " (are the CRDs installed? run: kubectl packetparamedic doctor)";
        }
        return reason;
    }
}
