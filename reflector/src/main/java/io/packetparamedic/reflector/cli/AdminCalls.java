package io.packetparamedic.reflector.cli;

import io.packetparamedic.reflector.admin.AdminChannelException;
import io.packetparamedic.reflector.admin.AdminClient;
import io.packetparamedic.reflector.admin.AdminProtocol;
import java.nio.file.Path;

/** One admin request from a CLI command; any failure becomes a one-line {@link CliFailure}. */
final class AdminCalls {
    private AdminCalls() {}

    static AdminProtocol.Response call(Path socket, AdminProtocol.Request request) {
        AdminProtocol.Response response;
        try {
            response = AdminClient.call(socket, request, AdminClient.DEFAULT_TIMEOUT);
        } catch (AdminChannelException e) {
            throw new CliFailure(e.getMessage());
        }
        if (!response.ok()) throw new CliFailure("the reflector refused: " + response.error());
        return response;
    }
}
