package io.packetparamedic.reflector.tls;

import java.net.Socket;
import javax.net.ssl.SSLSocket;

/**
 * The plain socket under a BCJSSE client socket. bctls 1.84 derives a client's exporter master
 * secret only as it completes the handshake and destroys it right after; in between it asks the
 * plain socket for the peer's port (to file the session), and that call is where {@link
 * BouncyCastleExporters} reads it. The client is asked nothing else in that window.
 */
final class ExporterCapturingSocket extends Socket {

    private volatile SSLSocket tls;
    /** The TLS socket layered on this one, once created. */
    void layeredUnder(SSLSocket socket) {
        this.tls = socket;
    }

    @Override
    public int getPort() {
        capture();
        return super.getPort();
    }

    private void capture() {
        SSLSocket socket = tls;
        if (socket != null && !BouncyCastleExporters.captured(socket)) BouncyCastleExporters.capture(socket);
    }
}
