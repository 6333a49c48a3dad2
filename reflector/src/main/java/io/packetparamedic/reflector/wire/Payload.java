package io.packetparamedic.reflector.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;

/**
 * The payload of a Paramedic Link message (spec section 5), discriminated by its snake_case
 * {@code type}. Field names are snake_case on the wire; unknown fields are ignored and a missing
 * optional field reads as null. Optional fields are sent as null, except the two the appliances
 * expect omitted: {@code network_position} and a failed {@code pair_response}'s {@code endpoint_id}.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = Payload.Hello.class, name = "hello"),
    @JsonSubTypes.Type(value = Payload.ServerHello.class, name = "server_hello"),
    @JsonSubTypes.Type(value = Payload.SessionRequest.class, name = "session_request"),
    @JsonSubTypes.Type(value = Payload.SessionGrant.class, name = "session_grant"),
    @JsonSubTypes.Type(value = Payload.SessionDeny.class, name = "session_deny"),
    @JsonSubTypes.Type(value = Payload.SessionClose.class, name = "session_close"),
    @JsonSubTypes.Type(value = Payload.Ok.class, name = "ok"),
    @JsonSubTypes.Type(value = Payload.GetStatus.class, name = "get_status"),
    @JsonSubTypes.Type(value = Payload.StatusSnapshot.class, name = "status_snapshot"),
    @JsonSubTypes.Type(value = Payload.PairRequest.class, name = "pair_request"),
    @JsonSubTypes.Type(value = Payload.PairResponse.class, name = "pair_response"),
    @JsonSubTypes.Type(value = Payload.GetPathMeta.class, name = "get_path_meta"),
    @JsonSubTypes.Type(value = Payload.PathMeta.class, name = "path_meta"),
    @JsonSubTypes.Type(value = Payload.GetFleetEndpoints.class, name = "get_fleet_endpoints"),
    @JsonSubTypes.Type(value = Payload.FleetEndpoints.class, name = "fleet_endpoints"),
    @JsonSubTypes.Type(value = Payload.Error.class, name = "error"),
})
public sealed interface Payload {

    String PROTOCOL_VERSION = "1.0";

    // ---- appliance → reflector -------------------------------------------------------------

    record Hello(String version, List<String> features) implements Payload {}

    record SessionRequest(String testType, SessionParams params) implements Payload {}

    /**
     * {@code duration_sec} is required; the others may be null. {@code stamp_mode} (ours, omitted
     * when null) asks a {@code stamp} session for {@code unauthenticated} (the default) or
     * {@code authenticated} STAMP.
     */
    record SessionParams(
            Integer durationSec,
            String protocol,
            Integer streams,
            Boolean reverse,
            @JsonInclude(JsonInclude.Include.NON_NULL) String stampMode) {

        /** Parameters as the spec names them, without a STAMP mode. */
        public SessionParams(Integer durationSec, String protocol, Integer streams, Boolean reverse) {
            this(durationSec, protocol, streams, reverse, null);
        }
    }

    record SessionClose(String testId) implements Payload {}

    record GetStatus() implements Payload {}

    record PairRequest(String token) implements Payload {}

    record GetPathMeta() implements Payload {}

    /**
     * (ours) asks for the fleet's other reflectors. Optional: the deployed appliance client never
     * sends it, and a reflector without it answers {@code error} 400 "unexpected message type".
     */
    record GetFleetEndpoints() implements Payload {}

    // ---- reflector → appliance -------------------------------------------------------------

    record ServerHello(
            String version,
            List<String> features,
            PolicySummary policySummary,
            @JsonInclude(JsonInclude.Include.NON_NULL) String networkPosition)
            implements Payload {}

    record PolicySummary(
            int maxTestDurationSec, int maxConcurrentTests, int maxTestsPerHour, List<String> allowedTestTypes) {}

    /**
     * A granted session. The fields after {@code expires_at} are ours, optional and omitted when
     * null: the deployed appliance client ignores unknown fields, and they tell a client what it
     * needs to behave well: how long and with how many streams to run, the UDP echo packet rate
     * the reflector polices to, the cooldown before the next request and the peer's remaining
     * bytes for the UTC day. {@code stamp_modes} (a {@code stamp} grant only) lists the STAMP modes
     * this connection can have: {@code authenticated} only where its TLS has an exporter.
     */
    record SessionGrant(
            String testId,
            String mode,
            int port,
            String token,
            String expiresAt,
            @JsonInclude(JsonInclude.Include.NON_NULL) Integer durationSec,
            @JsonInclude(JsonInclude.Include.NON_NULL) Integer streams,
            @JsonInclude(JsonInclude.Include.NON_NULL) Long packetRate,
            @JsonInclude(JsonInclude.Include.NON_NULL) Integer cooldownSec,
            @JsonInclude(JsonInclude.Include.NON_NULL) Long bytesRemainingToday,
            @JsonInclude(JsonInclude.Include.NON_NULL) List<String> stampModes)
            implements Payload {

        /** A grant with the spec's fields only (what the original reflector sent). */
        public SessionGrant(String testId, String mode, int port, String token, String expiresAt) {
            this(testId, mode, port, token, expiresAt, null, null, null, null, null, null);
        }

        /** A grant without STAMP modes (every test type but {@code stamp}). */
        public SessionGrant(
                String testId,
                String mode,
                int port,
                String token,
                String expiresAt,
                Integer durationSec,
                Integer streams,
                Long packetRate,
                Integer cooldownSec,
                Long bytesRemainingToday) {
            this(
                    testId,
                    mode,
                    port,
                    token,
                    expiresAt,
                    durationSec,
                    streams,
                    packetRate,
                    cooldownSec,
                    bytesRemainingToday,
                    null);
        }
    }

    record SessionDeny(String reason, String message, Long retryAfterSec) implements Payload {}

    record Ok() implements Payload {}

    record StatusSnapshot(
            String endpointId,
            long uptimeSec,
            ActiveTest activeTest,
            long testsToday,
            long bytesToday,
            @JsonInclude(JsonInclude.Include.NON_NULL) String networkPosition)
            implements Payload {}

    record ActiveTest(String testId, String testType, String peerId, String startedAt, long remainingSec) {}

    record PairResponse(
            boolean success,
            String message,
            @JsonInclude(JsonInclude.Include.NON_NULL) String endpointId) implements Payload {}

    record PathMeta(
            double cpuLoad,
            long memoryUsedMb,
            long memoryTotalMb,
            List<Double> loadAvg,
            Integer mtu,
            boolean timeSynced,
            String buildVersion,
            String buildHash)
            implements Payload {}

    /** (ours) the answer to {@code get_fleet_endpoints}: the other reflectors of this one's fleet, empty outside a fleet. */
    record FleetEndpoints(List<FleetEndpoint> endpoints) implements Payload {}

    /** One other reflector: where to connect, whom to expect there, and whether it was serving when last seen. */
    record FleetEndpoint(String endpointId, String address, boolean ready) {}

    record Error(int code, String message) implements Payload {}
}
