package io.packetparamedic.operator;

import java.time.Duration;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Operator-wide settings, read through MicroProfile Config so that they come from
 * application.properties / environment under Quarkus and from system properties when the
 * reconcilers run on a plain JOSDK Operator (tests, benchmark). Dependents are instantiated by
 * the SDK, not injected, hence static look-ups rather than CDI.
 */
public final class OperatorSettings {

    /** Image for ReflectorInstances that do not name one. */
    public static final String DEFAULT_IMAGE_PROPERTY = "packetparamedic.operator.reflector-image";

    public static final String DEFAULT_IMAGE = "ghcr.io/packetparamedic/reflector:0.1.0";
    /** A heartbeat older than this makes an instance not Ready. */
    public static final String HEARTBEAT_STALE_AFTER_PROPERTY = "packetparamedic.operator.heartbeat-stale-after";

    /**
     * Images ReflectorInstances may run (comma-separated; an entry ending in {@code *} is a
     * prefix). Unset or empty: any image. See {@link ImagePolicy}.
     */
    public static final String ALLOWED_IMAGES_PROPERTY = "packetparamedic.operator.allowed-images";

    /**
     * PerNode: how long a node that stopped matching (or disappeared) keeps its reflector
     * Deployment and identity Secret, and longer while its reflector reports running sessions.
     * Covers a node briefly NotReady (a kubelet restart, a short network split) without handing
     * its appliances a new Endpoint ID. Default 10m.
     */
    public static final String NODE_GRACE_PERIOD_PROPERTY = "packetparamedic.operator.node-grace-period";

    private OperatorSettings() {}

    public static Duration nodeGracePeriod() {
        return config().getOptionalValue(NODE_GRACE_PERIOD_PROPERTY, String.class)
                .map(io.packetparamedic.api.config.Durations::parse)
                .orElse(Duration.ofMinutes(10));
    }

    public static java.util.List<String> allowedImages() {
        return config().getOptionalValues(ALLOWED_IMAGES_PROPERTY, String.class).orElse(java.util.List.of()).stream()
                .map(String::strip)
                .filter(s -> !s.isEmpty())
                .toList();
    }

    public static String defaultImage() {
        return config().getOptionalValue(DEFAULT_IMAGE_PROPERTY, String.class).orElse(DEFAULT_IMAGE);
    }

    public static Duration heartbeatStaleAfter() {
        return config().getOptionalValue(HEARTBEAT_STALE_AFTER_PROPERTY, String.class)
                .map(io.packetparamedic.api.config.Durations::parse)
                .orElse(Duration.ofSeconds(90));
    }

    private static Config config() {
        return ConfigProvider.getConfig();
    }
}
