package io.packetparamedic.operator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.packetparamedic.api.crd.FieldManagers;
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
        applyJson(client, current, wanted);
        return true;
    }

    public static <S, R extends CustomResource<?, S>> R apply(KubernetesClient client, R current, S operatorStatus) {
        return applyJson(
                client, current, client.getKubernetesSerialization().convertValue(operatorStatus, JsonNode.class));
    }

    /**
     * The applied object is written as JSON rather than as a new custom resource: constructing
     * one works out its plural, singular and CRD name (regular expressions) on every status write.
     */
    private static <S, R extends CustomResource<?, S>> R applyJson(
            KubernetesClient client, R current, JsonNode status) {
        ObjectNode patch = JsonNodeFactory.instance.objectNode();
        patch.put("apiVersion", current.getApiVersion());
        patch.put("kind", current.getKind());
        patch.putObject("metadata")
                .put("name", current.getMetadata().getName())
                .put("namespace", current.getMetadata().getNamespace());
        patch.set("status", status);
        // Bound to the object read: without one, a patch with a text body reads it from the server first.
        return client.resource(current)
                .subresource("status")
                .patch(
                        new PatchContext.Builder()
                                .withPatchType(PatchType.SERVER_SIDE_APPLY)
                                .withFieldManager(FieldManagers.OPERATOR)
                                .withForce(true)
                                .build(),
                        patch.toString());
    }
}
