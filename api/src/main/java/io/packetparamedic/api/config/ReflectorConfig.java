package io.packetparamedic.api.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The reflector's configuration, as read from {@code reflector.toml} (spec section 9). Every
 * section and key is optional; the field initialisers are the documented defaults. Keys are
 * snake_case in TOML. Sections and keys beyond the original reflector's are marked "(ours)".
 *
 * <p>Instances are plain data: {@link ConfigLoader} reads and validates them, the operator
 * renders them, and nothing mutates them after loading. A running reflector holds one as its
 * configuration in force and may hand it to several threads; a variant (a {@code --bind}
 * override, a local data directory) is a copy made with the {@code with…} methods.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ReflectorConfig {

    public Identity identity = new Identity();
    public Network network = new Network();
    public Access access = new Access();
    public Quotas quotas = new Quotas();
    public Iperf3 iperf3 = new Iperf3();
    public Logging logging = new Logging();
    /** (ours) where state files live. */
    public State state = new State();
    /**
     * (ours) the other reflectors of the same fleet (a ReflectorInstance with PerNode placement),
     * as the operator renders them; absent outside a fleet, and then left out of rendered TOML.
     */
    public Fleet fleet;

    public static class Identity {
        public String privateKeyPath = "/var/lib/reflector/identity.ed25519";
    }

    public static class Network {
        public String listenAddress = "0.0.0.0:4000";
        public String listenAddressHealth = "0.0.0.0:7301";
        public String alpn = "pp-link/1";
        /**
         * (ours) refuse clients whose ClientHello carries no ALPN extension. Off by default: the
         * appliance client deployed in the field offers none, and RFC 7301 servers serve such a
         * client with their default protocol. A client offering only other protocols always fails.
         */
        public boolean requireAlpn = false;
        /**
         * (ours) the JSSE provider of the control connection's TLS: {@code jdk} (the platform's
         * SunJSSE) or {@code bc} (BouncyCastle's BCJSSE, whose TLS 1.3 exporter keys authenticated
         * STAMP on Java 17; the JDK has one from Java 25 on). Read at start.
         */
        public String tlsProvider = "jdk";
        /** {@code tunneled} or {@code direct_ephemeral}; grants say direct_ephemeral in both for now. */
        public String mode = "tunneled";

        public int dataPortRangeStart = 5201;
        public int dataPortRangeEnd = 5299;
        /** (ours) the address appliances are told to use, when the listen address is not it. */
        public String advertisedAddress;
        /** (ours) a TLS handshake not finished within this many seconds is dropped. */
        public int handshakeTimeoutSec = 10;
        /** (ours) a connection with no complete frame for this many seconds is closed. */
        public int idleTimeoutSec = 300;
        /** (ours) connections beyond this many are refused before the handshake. */
        public int maxConnections = 1024;
        /**
         * (ours) connections from one source address (IPv6: one /64) that may be in the TLS handshake
         * or awaiting authorization at the same time; more are refused before TLS. 128: a carrier
         * NAT puts many appliances behind one address, and after an outage they reconnect at once
         * (the NAT lab's storm: 50 behind one CGNAT address); one attacking address still gets
         * only half of the unauthenticated places (256 by default).
         */
        public int maxUnauthenticatedPerSource = 128;
        /**
         * (ours) the share of {@code max_connections}, in percent, that connections not yet
         * authenticated may hold together; the rest is kept for authenticated peers.
         */
        public int maxUnauthenticatedPercent = 25;
        /** (ours) a connection whose first TLS byte has not arrived within this many milliseconds is closed. */
        public int firstByteTimeoutMs = 3000;
        /**
         * (ours) bytes of incomplete frames all connections together may hold beyond a small
         * allowance each; a read that would go beyond it closes its connection. Direct memory is
         * capped at the heap size (the launcher's -Xmx128m), so this stays well below it.
         */
        public long maxBufferedInboundBytes = 16L * 1024 * 1024;
        /**
         * (ours) UDP echo answers only datagrams from the IP of the session's control connection;
         * false covers carriers whose TCP and UDP leave through different public addresses.
         */
        public boolean udpEchoSourceCheck = true;
        /**
         * (ours) the UDP echo and STAMP data path: {@code auto} runs each session socket on the
         * native library (batched recvmmsg/sendmmsg, kernel receive timestamps, received TTL and
         * DSCP/ECN) when it loads, else on Netty; {@code netty} always on Netty. Read when a
         * session starts.
         */
        public String dataPath = "auto";
        /**
         * (ours) on the native data path, how long (microseconds) a session's thread polls its
         * socket without sleeping before it blocks for the next datagram, as the kernel's
         * {@code net.core.busy_read} does for NAPI drivers: a thread that is still running when the
         * next datagram arrives answers it without a wake-up (tens of microseconds on a VM), which
         * is what keeps STAMP residence time low. It costs CPU only while datagrams come faster
         * than this apart; 0 turns it off. Read when a session starts.
         */
        public int busyPollUs = 50;
        /**
         * (ours) on SIGTERM the reflector stops admitting tests and waits this many seconds at most
         * for the running ones to finish before it exits. 75: the longest test a default reflector
         * grants (60 s) plus its grace and a margin.
         */
        public int drainTimeoutSec = 75;
    }

    public static class Access {
        public boolean pairingEnabled = false;
        public List<String> authorizedPeers = new ArrayList<>();
        /** (ours) authorized peers with a name and per-peer quota overrides. */
        public List<Peer> peers = new ArrayList<>();
        /** (ours) open pairing codes, e.g. from a PairingWindow. */
        public List<PairingCode> pairingCodes = new ArrayList<>();
    }

    /** (ours) one authorized peer with optional overrides; null fields take the global quota. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Peer {
        public String endpointId;
        public String name;
        public Integer maxTestsPerHourPerPeer;
        public Long maxBytesPerDayPerPeer;

        public Peer() {}

        public Peer(String endpointId, String name) {
            this.endpointId = endpointId;
            this.name = name;
        }
    }

    /** (ours) an open pairing code. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class PairingCode {
        public String code;
        /** RFC 3339 instant; absent means valid until removed from the config. */
        public String expiresAt;
        /** The PairingWindow this code belongs to, as namespace/name, when it came from one. */
        public String window;

        public PairingCode() {}

        public PairingCode(String code, String expiresAt, String window) {
            this.code = code;
            this.expiresAt = expiresAt;
            this.window = window;
        }
    }

    /** (ours) the fleet's reflectors, which an authorized appliance may ask for ({@code get_fleet_endpoints}). */
    public static class Fleet {
        public List<FleetMember> members = new ArrayList<>();
    }

    /**
     * (ours) one reflector of the fleet: the operator's status.nodes entry without its churn
     * (no session counts), so the list changes only when a node joins, leaves or changes readiness.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class FleetMember {
        public String endpointId;
        /** host:port of its control listener, as appliances reach it. */
        public String address;
        /** Whether the operator last saw it serving (fresh heartbeat, expected Endpoint ID). */
        public boolean ready;

        public FleetMember() {}

        public FleetMember(String endpointId, String address, boolean ready) {
            this.endpointId = endpointId;
            this.address = address;
            this.ready = ready;
        }
    }

    public static class Quotas {
        public int maxTestDurationSec = 60;
        public int maxConcurrentTests = 1;
        public int maxTestsPerHourPerPeer = 10;
        /**
         * 400 GB: the hourly limit allows at most 10 x 24 = 240 tests a UTC day, and a 10 s test
         * on a 1 Gbit/s link moves at most 1.25 GB, so the appliance's standard speed test
         * (upload then download, 10 s each) fits every time the hourly limit allows it (300 GB),
         * with a third to spare. docs/operations.md has the arithmetic.
         */
        public long maxBytesPerDayPerPeer = 400_000_000_000L;

        public int cooldownSec = 5;
        public boolean allowUdpEcho = true;
        public boolean allowThroughput = true;
        public int udpEchoMaxPacketRate = 1000;
    }

    public static class Iperf3 {
        public String path = "iperf3";
        public int defaultStreams = 4;
        public int maxStreams = 8;
    }

    public static class Logging {
        public String level = "info";
        public String auditLogPath = "/var/lib/reflector/audit.jsonl";
        /** (ours) the audit file is rotated when a line would take it past this size (100 MiB). */
        public long auditLogMaxBytes = 100L << 20;
        /** (ours) rotated audit files kept ({@code audit.jsonl.1} … {@code .5}); older ones are deleted. */
        public int auditLogKeep = 5;
    }

    public static class State {
        /** Defaults to the directory holding the identity key. */
        public String dataDir;
    }

    /** A copy that listens on {@code address} ({@code serve --bind}); this one is unchanged. */
    public ReflectorConfig withListenAddress(String address) {
        ReflectorConfig copy = ConfigLoader.copy(this);
        copy.network.listenAddress = address;
        return copy;
    }

    /** A copy keeping its state and audit log in {@code dir}; this one is unchanged. */
    public ReflectorConfig withDataDir(Path dir) {
        ReflectorConfig copy = ConfigLoader.copy(this);
        copy.state.dataDir = dir.toString();
        copy.logging.auditLogPath = dir.resolve("audit.jsonl").toString();
        return copy;
    }

    /** The identity key file, with a leading {@code ~/} expanded. */
    public Path privateKeyPath() {
        return Paths.expand(identity.privateKeyPath);
    }

    public Path auditLogPath() {
        return Paths.expand(logging.auditLogPath);
    }

    /** The data directory: {@code [state] data_dir}, or the identity key's directory. */
    public Path dataDir() {
        if (state.dataDir != null && !state.dataDir.isBlank()) return Paths.expand(state.dataDir);
        Path parent = privateKeyPath().toAbsolutePath().getParent();
        return parent != null ? parent : Path.of(".").toAbsolutePath();
    }

    /** The fleet's members as configured; empty outside a fleet. */
    public List<FleetMember> fleetMembers() {
        return fleet == null || fleet.members == null ? List.of() : fleet.members;
    }

    public boolean directEphemeralMode() {
        return "direct_ephemeral".equals(network.mode);
    }
}
