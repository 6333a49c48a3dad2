package io.packetparamedic.operator;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.packetparamedic.api.crd.FieldManagers;
import java.lang.reflect.InvocationTargetException;
import java.util.Objects;
import java.util.Set;

/**
 * Writes the operator's share of a custom resource's status with server-side apply under
 * {@link FieldManagers#OPERATOR}. The applied object carries only the name and a status holding
 * only operator-owned fields, so the fields the reflector pod applies under its own manager are
 * never touched — unlike a status replace (PUT), which would wipe them. An apply that changes
 * nothing does not produce a new resourceVersion.
 */
public final class StatusApplier {

    private StatusApplier() {}

    /**
     * Applies the operator's status unless the resource already shows exactly these operator
     * fields: most reconciles change nothing, and skipping the call spares the API server a
     * request per reconcile (1,000 peers at start-up). Returns whether a patch was sent.
     */
    public static <S, R extends CustomResource<?, S>> boolean applyIfChanged(
            KubernetesClient client, R current, S operatorStatus, Set<String> operatorFields) {
        var json = client.getKubernetesSerialization();
        JsonNode wanted = json.convertValue(operatorStatus, JsonNode.class);
        JsonNode actual = current.getStatus() == null ? null : json.convertValue(current.getStatus(), JsonNode.class);
        boolean same =
                actual != null && operatorFields.stream().allMatch(f -> Objects.equals(wanted.get(f), actual.get(f)));
        if (same) return false;
        apply(client, current, operatorStatus);
        return true;
    }

    public static <S, R extends CustomResource<?, S>> R apply(KubernetesClient client, R current, S operatorStatus) {
        R patch = blank(current);
        patch.setMetadata(new ObjectMetaBuilder()
                .withName(current.getMetadata().getName())
                .withNamespace(current.getMetadata().getNamespace())
                .build());
        patch.setStatus(operatorStatus);
        return client.resource(patch)
                .subresource("status")
                .patch(new PatchContext.Builder()
                        .withPatchType(PatchType.SERVER_SIDE_APPLY)
                        .withFieldManager(FieldManagers.OPERATOR)
                        .withForce(true)
                        .build());
    }

    @SuppressWarnings("unchecked")
    private static <R> R blank(R current) {
        try {
            return (R) current.getClass().getDeclaredConstructor().newInstance();
        } catch (InstantiationException
                | IllegalAccessException
                | NoSuchMethodException
                | InvocationTargetException e) {
            throw new IllegalStateException("cannot instantiate " + current.getClass(), e);
        }
    }
}
