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
        // No answer from the API server: the client wraps the I/O failure in plain IOExceptions;
        // the first specific one says what failed (ConnectException, UnknownHostException, an
        // SSLException), its causes are the transport's details.
        Throwable io = k.getCause();
        while (io != null && !(io instanceof java.io.IOException && io.getClass() != java.io.IOException.class))
            io = io.getCause();
        if (k.getStatus() == null && io != null) {
            return "cannot reach the API server: " + io.getClass().getSimpleName()
                    + (io.getMessage() != null ? ": " + io.getMessage() : "");
        }
        String reason = k.getStatus() != null && k.getStatus().getMessage() != null
                ? k.getStatus().getMessage()
                : k.getMessage();
        if (k.getCode() == 404 && reason != null && reason.contains("packetparamedic.io")) {
            return reason + " (are the CRDs installed? run: kubectl packetparamedic doctor)";
        }
        return reason;
    }
}
