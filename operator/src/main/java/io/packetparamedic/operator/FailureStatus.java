package io.packetparamedic.operator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * The error path shared by the three reconcilers ({@code Reconciler#updateErrorStatus}): when a
 * reconcile throws, the resource's Ready condition turns False with a reason from
 * {@link ReconcileFailure} and a one-line message, a Warning Event says the same once per new
 * failure, and JOSDK retries with the controller's backoff. The log gets one WARN line; the stack
 * trace only at DEBUG, because an expected failure (a refused object, a missing Secret) is not a
 * crash.
 *
 * <p>The operator's other status fields are kept as they were: the status is applied with
 * server-side apply, where leaving a field out would delete it.
 */
public final class FailureStatus {
    private static final Logger LOG = Logger.getLogger(FailureStatus.class);

    private FailureStatus() {}

    public static <S, R extends CustomResource<?, S>> ErrorStatusUpdateControl<R> record(
            R resource, Context<R> context, Exception e, Class<S> statusType, Set<String> operatorFields) {
        ReconcileFailure failure = ReconcileFailure.of(e);
        int retries = context.getRetryInfo().map(r -> r.getAttemptCount()).orElse(0);
        LOG.warnf(
                "event=reconcile_failed kind=%s object=%s reason=%s retry_attempt=%d message=\"%s\"",
                resource.getKind(),
                Names.key(resource),
                failure.reason(),
                retries,
                failure.message().replace('"', '\''));
        LOG.debugf(e, "event=reconcile_failed_detail kind=%s object=%s", resource.getKind(), Names.key(resource));

        var json = context.getClient().getKubernetesSerialization();
        ObjectNode status =
                json.convertValue(resource.getStatus() == null ? Map.of() : resource.getStatus(), ObjectNode.class);
        status.retain(operatorFields);
        List<Condition> previous = status.has("conditions")
                ? List.of(json.convertValue(status.get("conditions"), Condition[].class))
                : List.of();
        boolean repeated = Conditions.find(previous, Conditions.READY)
                .filter(c -> "False".equals(c.getStatus())
                        && failure.reason().equals(c.getReason())
                        && failure.message().equals(c.getMessage()))
                .isPresent();
        if (!repeated) {
            KubeEvents.warning(context.getClient(), resource, failure.reason(), failure.message());
        }
        status.set(
                "conditions",
                json.convertValue(
                        Conditions.replacing(
                                previous,
                                resource.getMetadata().getGeneration(),
                                Conditions.READY,
                                false,
                                failure.reason(),
                                failure.message()),
                        JsonNode.class));
        try {
            StatusApplier.applyIfChanged(
                    context.getClient(), resource, json.convertValue(status, statusType), operatorFields);
        } catch (KubernetesClientException statusFailure) {
            // The resource may be gone or the API down; the retry tries again.
            LOG.warnf(
                    "event=error_status_not_written kind=%s object=%s error=\"%s\"",
                    resource.getKind(),
                    Names.key(resource),
                    ReconcileFailure.oneLine(statusFailure.getMessage()).replace('"', '\''));
        }
        return ErrorStatusUpdateControl.noStatusUpdate();
    }
}
