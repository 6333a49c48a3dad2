package io.packetparamedic.api.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.List;
import java.util.Map;

/**
 * What a cluster admin asks for. Every field is optional; absent fields take the reflector's
 * documented defaults (the same as its standalone TOML defaults). Where a default is a plain
 * value the schema declares it too (the API server fills it in, so {@code kubectl get -o yaml}
 * shows what runs); CrdSchemaTest checks each against {@code ReflectorConfig}. The CEL rules
 * reject the combinations the reflector could not run with, before anything is deployed.
 *
 * <p>Integer fields carry {@code @Max(Integer.MAX_VALUE)} where no smaller bound is natural: the
 * schema type "integer" is 64-bit, and a larger value would make the operator fail to read the
 * object.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
        value = "!has(self.placement) || self.placement.mode != 'PerNode'"
                + " || (!has(self.nodeSelector) && !has(self.tolerations) && !has(self.affinity))",
        message = "with spec.placement.mode PerNode, nodes are chosen by spec.placement.nodeSelector and tolerations;"
                + " spec.nodeSelector, tolerations and affinity apply only to Single")
@ValidationRule(
        value = "!has(self.placement) || self.placement.mode != 'PerNode'"
                + " || !has(self.identity) || !has(self.identity.existingSecret)",
        message =
                "spec.identity.existingSecret applies only to Single: each node of a PerNode instance gets its own generated identity")
public class ReflectorInstanceSpec {

    @Size(max = 512)
    @JsonPropertyDescription(
            "Reflector container image; defaults to the operator's configured image (setting packetparamedic.operator.reflector-image). The operator may restrict images (allowed-images).")
    public String image;

    @JsonPropertyDescription(
            "One reflector pod (mode Single, the default) or one on each matching node, each with its own identity (mode PerNode, a fleet).")
    public Placement placement;

    @JsonPropertyDescription(
            "Node selector for the reflector pod. Also decides which instances may share a node for the operator's port-conflict check.")
    public Map<String, String> nodeSelector;

    @JsonPropertyDescription(
            "Tolerations of the reflector pod (the standard Kubernetes type; see kubectl explain pod.spec.tolerations).")
    public List<Toleration> tolerations;

    @JsonPropertyDescription(
            "Affinity of the reflector pod (the standard Kubernetes type; see kubectl explain pod.spec.affinity).")
    public Affinity affinity;

    @JsonPropertyDescription(
            "Resources of the reflector container (the standard Kubernetes type; see kubectl explain pod.spec.containers.resources).")
    public ResourceRequirements resources;

    @JsonPropertyDescription("Ports and addressing: where appliances reach the reflector.")
    public Network network;

    @JsonPropertyDescription(
            "Limits on what peers may run, the [quotas] section of reflector.toml. An AuthorizedPeer may override the per-peer ones.")
    public Quotas quotas;

    @JsonPropertyDescription("Limits on iperf3 throughput tests.")
    public Iperf3 iperf3;

    @JsonPropertyDescription("The instance's Ed25519 identity, from which its Endpoint ID derives.")
    public Identity identity;

    @Default("info")
    @JsonPropertyDescription("Log level of the reflector. Default: info.")
    public LogLevel logLevel;

    public enum LogLevel {
        trace,
        debug,
        info,
        warn,
        error
    }

    public enum Mode {
        tunneled,
        direct_ephemeral
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @ValidationRule(
            value = "!has(self.controlPort) || !has(self.healthPort) || self.controlPort != self.healthPort",
            message = "spec.network.healthPort must differ from controlPort")
    @ValidationRule(
            value = "!has(self.controlPort) || !has(self.dataPortRange)"
                    + " || self.controlPort < self.dataPortRange.start || self.controlPort > self.dataPortRange.end",
            message = "spec.network.dataPortRange must not contain controlPort")
    @ValidationRule(
            value = "!has(self.healthPort) || !has(self.dataPortRange)"
                    + " || self.healthPort < self.dataPortRange.start || self.healthPort > self.dataPortRange.end",
            message = "spec.network.dataPortRange must not contain healthPort")
    public static class Network {
        @Default("true")
        @JsonPropertyDescription(
                "Run on the node's network so that the data ports are reachable on the node's address. Host ports are node-wide: instances that may share a node must not overlap in any port (condition PortConflict). Default: true.")
        public Boolean hostNetwork;

        @Min(1)
        @Max(65535)
        @Default("4000")
        @JsonPropertyDescription(
                "Paramedic Link (mTLS) port appliances connect to. Must differ from healthPort and lie outside dataPortRange. Default: 4000.")
        public Integer controlPort;

        @Min(1)
        @Max(65535)
        @Default("7301")
        @JsonPropertyDescription(
                "Plain HTTP port serving /health and /metrics. Must differ from controlPort and lie outside dataPortRange. Default: 7301.")
        public Integer healthPort;

        @Default("{\"start\": 5201, \"end\": 5299}")
        @JsonPropertyDescription(
                "Ports handed out to test sessions, one per session; its size bounds the sessions running at once. Default: 5201-5299.")
        public PortRange dataPortRange;

        @Default("tunneled")
        @JsonPropertyDescription("Session mode: tunneled or direct_ephemeral. Default: tunneled.")
        public Mode mode;

        @Default("false")
        @JsonPropertyDescription(
                "Refuse appliances whose TLS ClientHello offers no ALPN. Off by default because the appliance client deployed in the field offers none (it is served as pp-link/1). Default: false.")
        public Boolean requireAlpn;

        @Min(0)
        @Max(3600)
        @Default("75")
        @JsonPropertyDescription(
                "On shutdown (rotation, upgrade, node drain) the reflector refuses new tests as busy and waits at most this many seconds for running ones to finish; the pod's terminationGracePeriodSeconds is this plus 15. 75 covers the longest default test (60 s) with its grace and a margin. Default: 75.")
        public Integer drainTimeoutSec;

        @Pattern("^[A-Za-z0-9.:\\[\\]-]+$")
        @Size(max = 253)
        // The operator appends the control port (bracketing an IPv6 address), so a value that
        // already has a port would be advertised as "host:port:port": a colon is allowed only
        // in an IPv6 address, which has at least two of them.
        @ValidationRule(
                value =
                        "self.matches(r'^([A-Za-z0-9.-]+|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*|\\[[0-9A-Fa-f:.]+\\])$')",
                message = "spec.network.advertisedAddress must be a host name or IP address without a port")
        @JsonPropertyDescription(
                "Host name or IP address appliances are told to use (no port); default: the address the pod reports (its node's).")
        public String advertisedAddress;
    }

    /** Ephemeral data-plane ports; the reflector hands out one per session. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @ValidationRule(value = "self.start <= self.end", message = "dataPortRange.start must be <= dataPortRange.end")
    public static class PortRange {
        @Required
        @Min(1)
        @Max(65535)
        @JsonPropertyDescription("First port of the range.")
        public Integer start;

        @Required
        @Min(1)
        @Max(65535)
        @JsonPropertyDescription("Last port of the range (inclusive); at least start.")
        public Integer end;

        public PortRange() {}

        public PortRange(int start, int end) {
            this.start = start;
            this.end = end;
        }
    }

    /** The [quotas] keys of reflector.toml, camelCase. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Quotas {
        @Min(1)
        @Max(Integer.MAX_VALUE)
        @Default("60")
        @JsonPropertyDescription(
                "Longest test a peer may ask for, in seconds; longer requests are refused. Default: 60.")
        public Integer maxTestDurationSec;

        @Min(1)
        @Max(Integer.MAX_VALUE)
        @Default("1")
        @JsonPropertyDescription(
                "Tests running at once on this reflector, all peers together (at least 1; to stop a kind of test, set allowThroughput or allowUdpEcho to false). Default: 1.")
        public Integer maxConcurrentTests;

        @Min(1)
        @Max(Integer.MAX_VALUE)
        @Default("10")
        @JsonPropertyDescription(
                "Tests one peer may start per hour (at least 1). AuthorizedPeer spec.quotas may override it per peer. Default: 10.")
        public Integer maxTestsPerHourPerPeer;

        @Min(1)
        @Default("400000000000")
        @JsonPropertyDescription(
                "Bytes one peer may move per UTC day; the default (400 GB) fits the appliance's standard speed test on a 1 Gbit/s link every time the hourly limit allows it. AuthorizedPeer spec.quotas may override it per peer. Default: 400000000000.")
        public Long maxBytesPerDayPerPeer;

        @Min(0)
        @Max(Integer.MAX_VALUE)
        @Default("5")
        @JsonPropertyDescription("Seconds a peer must wait after a test before starting the next. Default: 5.")
        public Integer cooldownSec;

        @Default("true")
        @JsonPropertyDescription("Whether UDP echo (latency, jitter, loss) tests are allowed. Default: true.")
        public Boolean allowUdpEcho;

        @Default("true")
        @JsonPropertyDescription("Whether throughput (iperf3) tests are allowed. Default: true.")
        public Boolean allowThroughput;

        @Min(1)
        @Max(Integer.MAX_VALUE)
        @Default("1000")
        @JsonPropertyDescription(
                "UDP echo packets a second one session gets answers to; the rest are dropped. Default: 1000.")
        public Integer udpEchoMaxPacketRate;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @ValidationRule(
            value = "!has(self.defaultStreams) || !has(self.maxStreams) || self.defaultStreams <= self.maxStreams",
            message = "iperf3.defaultStreams must be <= iperf3.maxStreams")
    public static class Iperf3 {
        // No schema default: absent, it is 4 or maxStreams when that is lower (ConfigRenderer),
        // which a fixed default of 4 would turn into a rejection of maxStreams below 4.
        @Min(1)
        @Max(128)
        @JsonPropertyDescription(
                "Parallel streams of a throughput test that does not ask for a number; at most maxStreams. Default: 4, or maxStreams when lower.")
        public Integer defaultStreams;

        @Min(1)
        @Max(128)
        @Default("8")
        @JsonPropertyDescription("Most parallel streams a throughput test may ask for. Default: 8.")
        public Integer maxStreams;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Identity {
        @JsonPropertyDescription(
                "Use this existing Secret (a raw 32-byte Ed25519 seed; key defaults to identity.ed25519) instead of one generated by the operator.")
        public SecretKeyRef existingSecret;

        @Size(max = 253)
        @JsonPropertyDescription(
                "Any value; changing it makes the operator generate a new identity (the old Endpoint ID is kept in status.previousEndpointIds).")
        public String rotation;
    }
}
