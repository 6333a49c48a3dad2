package io.packetparamedic.e2e.tests;

import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.api.identity.EndpointId;
import io.packetparamedic.e2e.harness.Manifests;
import io.packetparamedic.e2e.harness.ReflectorProcess;
import io.packetparamedic.reflector.client.LinkClient;
import java.io.IOException;

/**
 * An appliance: its own identity and the reflector module's Paramedic Link client. Every
 * connection gets a fresh TLS context, as {@link LinkClient#connect} makes it: a reused JDK
 * context would offer TLS 1.3 session resumption, in which the client sends no certificate, and
 * the reflector (rightly) refuses a connection without one.
 */
final class Appliance {

    final Ed25519Identity identity = Ed25519Identity.generate();

    EndpointId id() {
        return identity.endpointId();
    }

    /** The AuthorizedPeer a user would apply to let this appliance in to one ReflectorInstance. */
    String authorizedPeerYaml(String name, String instance) {
        return Manifests.authorizedPeer(name, id().toString(), instance);
    }

    LinkClient connect(ReflectorProcess reflector) throws IOException {
        return LinkClient.connect(
                "127.0.0.1",
                reflector.port(),
                identity,
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
