package io.packetparamedic.reflector.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.packetparamedic.reflector.build.BuildInfo;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * The control plane's meters, registered in one Prometheus registry that {@code GET /metrics}
 * scrapes. Tag values are small fixed vocabularies (reasons, decisions), never peer IDs or
 * addresses, so the number of time series stays bounded.
 */
public final class ReflectorMetrics {

    public static final String CONNECTIONS_ACCEPTED = "reflector.connections.accepted";
    public static final String CONNECTIONS_DENIED = "reflector.connections.denied";
    public static final String CONNECTIONS_ACTIVE = "reflector.connections.active";
    public static final String HANDSHAKE_FAILURES = "reflector.tls.handshake.failures";
    public static final String AUTHORIZATION_DECISIONS = "reflector.authorization.decisions";
    public static final String PAIRING_ATTEMPTS = "reflector.pairing.attempts";
    public static final String PAIRING_SUCCESSES = "reflector.pairing.successes";
    public static final String PROTOCOL_ERRORS = "reflector.protocol.errors";
    /** The {@code alpn} tag (and audit field) of a connection whose ClientHello carried no ALPN. */
    public static final String ALPN_NONE = "none";

    public static final String CONNECTIONS_REFUSED = "reflector.connections.refused";
    public static final String CONNECTIONS_UNAUTHENTICATED = "reflector.connections.unauthenticated";
    public static final String INBOUND_REFUSED = "reflector.inbound.refused";
    public static final String INBOUND_BUFFERED = "reflector.inbound.buffered.bytes";
    /** Constant 1, labelled with what is running: {@code reflector_build_info{version,commit,java_version}}. */
    public static final String BUILD_INFO = "reflector.build.info";

    /**
     * The HELP text of each labelled counter, registered on first use: a meter registered without
     * a description would print an empty {@code # HELP} line.
     */
    private static final Map<String, String> DESCRIPTIONS = Map.of(
            CONNECTIONS_DENIED, "Control connections refused after the TLS handshake, by reason",
            HANDSHAKE_FAILURES, "TLS handshakes that failed, by reason",
            AUTHORIZATION_DECISIONS, "Authorization decisions on authenticated connections, by decision",
            PROTOCOL_ERRORS, "error responses sent, by code",
            CONNECTIONS_REFUSED, "Connections closed before authentication by the flood limits, by reason",
            INBOUND_REFUSED, "Connections closed for what they sent, by reason");

    /** Why a connection was refused or dropped before it was authenticated ({@link #CONNECTIONS_REFUSED}). */
    public static final List<String> REFUSAL_REASONS =
            List.of("source_limit", "unauthenticated_limit", "first_byte_timeout");
    /** Why inbound bytes closed a connection ({@link #INBOUND_REFUSED}). */
    public static final List<String> INBOUND_REFUSAL_REASONS =
            List.of("frame_too_large", "frame_too_large_before_hello", "budget_exceeded");

    private final PrometheusMeterRegistry registry;
    private final AtomicInteger activeConnections = new AtomicInteger();
    private final Counter pairingAttempts;
    private final Counter pairingSuccesses;

    public ReflectorMetrics() {
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        // ProcessorMetrics' CPU time is in nanoseconds (process_cpu_time_ns_total); Prometheus'
        // convention, and every dashboard's rate(), expect seconds: process_cpu_seconds_total.
        // Filters go in before the first meter: Micrometer warns at every start otherwise.
        registry.config().meterFilter(MeterFilter.denyNameStartsWith("process.cpu.time"));
        BuildInfo build = BuildInfo.current();
        Gauge.builder(BUILD_INFO, () -> 1)
                .description("Always 1; the labels say which reflector build and Java runtime are running")
                .tags(
                        "version",
                        build.version(),
                        "commit",
                        build.commit(),
                        "java_version",
                        Runtime.version().toString())
                .register(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            FunctionCounter.builder("process.cpu", os, bean -> bean.getProcessCpuTime() / 1e9)
                    .description("CPU time used by the reflector's JVM")
                    .baseUnit("seconds")
                    .register(registry);
        }
        new UptimeMetrics().bindTo(registry);
        Gauge.builder(CONNECTIONS_ACTIVE, activeConnections, AtomicInteger::get)
                .description(
                        "Open control connections (any stage, once past the per-source and unauthenticated limits)")
                .register(registry);
        // Tagged by the ALPN the connection used, so operators can see how much of the fleet still
        // runs the deployed appliance client (which offers none). Only the configured protocol
        // passes the handshake, so the tag has two values.
        acceptedCounter("pp-link/1");
        acceptedCounter(ALPN_NONE);
        pairingAttempts = Counter.builder(PAIRING_ATTEMPTS)
                .description("pair_request messages handled")
                .register(registry);
        pairingSuccesses = Counter.builder(PAIRING_SUCCESSES)
                .description("Peers enrolled by pairing")
                .register(registry);
        // Pre-register the common labels so a scrape shows them at zero before the first event.
        counter(CONNECTIONS_DENIED, "reason", "unauthorized");
        counter(HANDSHAKE_FAILURES, "reason", "timeout");
        counter(AUTHORIZATION_DECISIONS, "decision", "authorized");
        for (String reason : REFUSAL_REASONS) counter(CONNECTIONS_REFUSED, "reason", reason);
        for (String reason : INBOUND_REFUSAL_REASONS) counter(INBOUND_REFUSED, "reason", reason);
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** Prometheus text exposition of every meter. */
    public String scrape() {
        return registry.scrape();
    }

    public void connectionOpened() {
        activeConnections.incrementAndGet();
    }

    public void connectionClosed() {
        activeConnections.decrementAndGet();
    }

    public int activeConnections() {
        return activeConnections.get();
    }

    /** The counter {@code name} with one tag, described from {@link #DESCRIPTIONS}. */
    private Counter counter(String name, String tagKey, String tagValue) {
        return Counter.builder(name)
                .description(DESCRIPTIONS.get(name))
                .tag(tagKey, tagValue)
                .register(registry);
    }

    private Counter acceptedCounter(String alpn) {
        return Counter.builder(CONNECTIONS_ACCEPTED)
                .description("Control connections accepted after TLS and authorization, by the ALPN they used")
                .tag("alpn", alpn)
                .register(registry);
    }

    /** @param alpn the negotiated protocol, or {@link #ALPN_NONE} when the client offered no ALPN */
    public void connectionAccepted(String alpn) {
        acceptedCounter(alpn).increment();
    }

    public void connectionDenied(String reason) {
        counter(CONNECTIONS_DENIED, "reason", reason).increment();
    }

    public void handshakeFailure(String reason) {
        counter(HANDSHAKE_FAILURES, "reason", reason).increment();
    }

    public void authorizationDecision(String decision) {
        counter(AUTHORIZATION_DECISIONS, "decision", decision).increment();
    }

    public void protocolError(int code) {
        counter(PROTOCOL_ERRORS, "code", Integer.toString(code)).increment();
    }

    /** A connection refused or dropped before authentication; {@code reason} is one of {@link #REFUSAL_REASONS}. */
    public void connectionRefused(String reason) {
        counter(CONNECTIONS_REFUSED, "reason", reason).increment();
    }

    public double connectionsRefused(String reason) {
        return counter(CONNECTIONS_REFUSED, "reason", reason).count();
    }

    /** A connection closed for what it sent; {@code reason} is one of {@link #INBOUND_REFUSAL_REASONS}. */
    public void inboundRefused(String reason) {
        counter(INBOUND_REFUSED, "reason", reason).increment();
    }

    public double inboundRefusals(String reason) {
        return counter(INBOUND_REFUSED, "reason", reason).count();
    }

    /** Reports the connections still in the TLS handshake or awaiting authorization. */
    public void unauthenticatedConnections(IntSupplier open) {
        Gauge.builder(CONNECTIONS_UNAUTHENTICATED, open, IntSupplier::getAsInt)
                .description("Control connections not yet authenticated (TLS handshake or authorization)")
                .strongReference(true)
                .register(registry);
    }

    /** Reports the bytes of incomplete frames held across all connections. */
    public void inboundBufferedBytes(LongSupplier held) {
        Gauge.builder(INBOUND_BUFFERED, held, LongSupplier::getAsLong)
                .description("Bytes of incomplete inbound frames held across all control connections")
                .baseUnit("bytes")
                .strongReference(true)
                .register(registry);
    }

    public void pairingAttempt(boolean success) {
        pairingAttempts.increment();
        if (success) pairingSuccesses.increment();
    }

    public void close() {
        registry.close();
    }
}
