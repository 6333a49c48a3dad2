package io.packetparamedic.operator;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.packetparamedic.api.crd.FieldManagers;
import java.lang.reflect.InvocationTargetException;

/**
 * Writes the operator's share of a custom resource's status with server-side apply under
 * {@link FieldManagers#OPERATOR}. The applied object carries only the name and a status holding
 * only operator-owned fields, so the fields the reflector pod applies under its own manager are
 * never touched — unlike a status replace (PUT), which would wipe them. An apply that changes
 * nothing does not produce a new resourceVersion.
 */
public final class StatusApplier {

    private StatusApplier() {}

    public static <S, R extends CustomResource<?, S>> R apply(KubernetesClient client, R current, S operatorStatus) {
        R patch = blank(current);
        patch.setMetadata(new ObjectMetaBuilder()
                .withName(current.getMetadata().getName())
                .withNamespace(current.getMetadata().getNamespace())
                .build());
        patch.setStatus(operatorStatus);
        return client.resource(patch).subresource("status").patch(new PatchContext.Builder()
                .withPatchType(PatchType.SERVER_SIDE_APPLY)
                .withFieldManager(FieldManagers.OPERATOR)
                .withForce(true)
                .build());
    }

    @SuppressWarnings("unchecked")
    private static <R> R blank(R current) {
        try {
            return (R) current.getClass().getDeclaredConstructor().newInstance();
        } catch (InstantiationException | IllegalAccessException | NoSuchMethodException | InvocationTargetException e) {
            throw new IllegalStateException("cannot instantiate " + current.getClass(), e);
        }
    }
}
