package io.packetparamedic.e2e.tests;

import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.api.identity.EndpointId;
import io.packetparamedic.reflector.client.LinkClient;
import io.packetparamedic.reflector.tls.ClientTlsContext;
import io.packetparamedic.reflector.tls.TlsProfile;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * An appliance: its own identity and the reflector module's Paramedic Link client. The TLS
 * context (its certificate) is made once per reflector identity, as a real appliance keeps it,
 * so that a connection attempt costs a handshake and nothing more.
 */
final class Appliance {

    final Ed25519Identity identity = Ed25519Identity.generate();
    private ClientTlsContext tls;
    private String tlsFor;

    EndpointId id() {
        return identity.endpointId();
    }

    synchronized LinkClient connect(ReflectorProcess reflector) throws IOException {
        if (tls == null || !reflector.endpointId().equals(tlsFor)) {
            tls = ClientTlsContext.create(identity, Optional.of(EndpointId.parse(reflector.endpointId())),
                    TlsProfile.DEFAULT_ALPN);
            tlsFor = reflector.endpointId();
        }
        return LinkClient.connect(new InetSocketAddress("127.0.0.1", reflector.port()), tls,
                LinkClient.Options.defaults().pinning(EndpointId.parse(reflector.endpointId())));
    }

    /** True when the reflector lets this appliance in with full access (status needs it). */
    boolean accepted(ReflectorProcess reflector) {
        try (LinkClient c = connect(reflector)) {
            c.status();
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
