package io.packetparamedic.reflector.kube;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.function.Consumer;

/**
 * An informer on one Secret by name (a {@code metadata.name} field selector), which is all the
 * pod's Role lets it list and watch. Adds and updates both mean "this is the Secret now";
 * callbacks run on the informer's one thread, in order.
 */
final class NamedSecretInformer {

    private NamedSecretInformer() {}

    static SharedIndexInformer<Secret> start(
            KubernetesClient client, String namespace, String name, Consumer<Secret> changed, Runnable deleted) {
        return client.secrets()
                .inNamespace(namespace)
                .withName(name)
                .inform(
                        new ResourceEventHandler<>() {
                            @Override
                            public void onAdd(Secret secret) {
                                changed.accept(secret);
                            }

                            @Override
                            public void onUpdate(Secret previous, Secret secret) {
                                changed.accept(secret);
                            }

                            @Override
                            public void onDelete(Secret secret, boolean finalStateUnknown) {
                                deleted.run();
                            }
                        },
                        0);
    }
}
