package io.packetparamedic.reflector.rpc;

import io.packetparamedic.api.config.ReflectorConfig;
import io.packetparamedic.api.identity.EndpointId;
import io.packetparamedic.reflector.wire.Payload;

/**
 * The {@code fleet_endpoints} answer: the {@code [fleet]} members of the configuration in force,
 * without this reflector itself. Read from the live configuration at each request, so a new
 * member list applies to the next request on every open connection. Standalone (no fleet) it is
 * an empty list, which tells a client the same thing as a fleet of one: nowhere else to go.
 */
final class FleetEndpointsAnswer {

    private FleetEndpointsAnswer() {}

    static Payload.FleetEndpoints of(ReflectorConfig config, EndpointId self) {
        return new Payload.FleetEndpoints(config.fleetMembers().stream()
                .filter(m -> !EndpointId.parse(m.endpointId).equals(self))
                .map(m ->
                        new Payload.FleetEndpoint(EndpointId.parse(m.endpointId).toString(), m.address, m.ready))
                .toList());
    }
}
