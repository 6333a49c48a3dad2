package io.packetparamedic.operator;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.AggregatedOperatorException;
import io.packetparamedic.api.config.ConfigException;
import java.util.ArrayList;
import java.util.List;

/**
 * What a failed reconcile means to the person who owns the resource: a CamelCase reason for the
 * Ready condition and the Event, and a one-line message. JOSDK wraps a dependent's failure (the
 * Deployment or a Secret the API server refused) in layers; the innermost Kubernetes API error
 * or config error says what went wrong, so that is what is classified.
 */
public record ReconcileFailure(String reason, String message) {

    /** The API server refused an object derived from the spec: a combination the schema cannot check. */
    public static final String INVALID_SPEC = "InvalidSpec";
    /**
     * An object the reconcile reads or writes does not exist (HTTP 404): a referenced one, or an
     * owned one deleted between the informer's view and the write (the retry sees the truth).
     */
    public static final String NOT_FOUND = "NotFound";
    /** Another writer changed the object between read and write; the retry reads it again. */
    public static final String CONFLICT = "Conflict";
    /** RBAC or an admission policy refused the operator's request. */
    public static final String FORBIDDEN = "Forbidden";
    /** Any other answer of the API server (unavailable, timeout, throttled). */
    public static final String API_ERROR = "ApiError";
    /** Two placed nodes of a PerNode instance would share one Deployment and identity Secret name. */
    public static final String NODE_SLOT_COLLISION = "NodeSlotCollision";
    /** A failure the operator has no better word for: a bug until proven otherwise. */
    public static final String RECONCILE_ERROR = "ReconcileError";

    /** Messages end up in kubectl tables and Events: one line, bounded. */
    static final int MAX_MESSAGE = 300;

    public static ReconcileFailure of(Exception e) {
        Throwable cause = innermost(e);
        if (cause instanceof KubernetesClientException k) return ofApi(k);
        if (cause instanceof Names.NodeSlotCollision c)
            return new ReconcileFailure(NODE_SLOT_COLLISION, c.getMessage());
        if (cause instanceof ConfigException c) {
            return new ReconcileFailure(
                    INVALID_SPEC, "the rendered reflector.toml is invalid: " + oneLine(c.getMessage()));
        }
        return new ReconcileFailure(
                RECONCILE_ERROR, oneLine(cause.getClass().getSimpleName() + ": " + cause.getMessage()));
    }

    private static ReconcileFailure ofApi(KubernetesClientException k) {
        String reason = switch (k.getCode()) {
            case 400, 422 -> INVALID_SPEC;
            case 404 -> NOT_FOUND;
            case 409 -> CONFLICT;
            case 401, 403 -> FORBIDDEN;
            default -> API_ERROR;
        };
        // The API server's own message names the object and the field; the client's adds the URL.
        String text = k.getStatus() != null && k.getStatus().getMessage() != null
                ? k.getStatus().getMessage()
                : k.getMessage();
        return new ReconcileFailure(reason, oneLine(text));
    }

    /** Follows causes and JOSDK's aggregated dependent failures to the first specific error. */
    private static Throwable innermost(Throwable e) {
        List<Throwable> seen = new ArrayList<>();
        Throwable t = e;
        while (t != null && !seen.contains(t)) {
            seen.add(t);
            if (t instanceof KubernetesClientException || t instanceof ConfigException) return t;
            if (t instanceof AggregatedOperatorException a
                    && !a.getAggregatedExceptions().isEmpty()) {
                t = a.getAggregatedExceptions().values().iterator().next();
            } else {
                t = t.getCause();
            }
        }
        return seen.get(seen.size() - 1);
    }

    static String oneLine(String text) {
        if (text == null || text.isBlank()) return "no detail";
        String line = text.strip().lines().findFirst().orElse("").strip();
        return line.length() <= MAX_MESSAGE ? line : line.substring(0, MAX_MESSAGE - 1) + "…";
    }
}
