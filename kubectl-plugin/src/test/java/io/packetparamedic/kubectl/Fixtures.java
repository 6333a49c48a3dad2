package io.packetparamedic.kubectl;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.packetparamedic.api.crd.ReflectorInstance;
import io.packetparamedic.api.crd.ReflectorInstanceSpec;
import io.packetparamedic.api.crd.ReflectorInstanceStatus;
import java.time.Instant;

/** Custom resources for tests that have no operator: what the operator or the pod would write is applied here. */
final class Fixtures {

    private Fixtures() {}

    static ReflectorInstance instance(KubernetesClient client, String ns, String name, int controlPort) {
        ReflectorInstance ri = new ReflectorInstance();
        ri.setMetadata(new ObjectMetaBuilder().withNamespace(ns).withName(name).build());
        ri.setSpec(new ReflectorInstanceSpec());
        ri.getSpec().network = new ReflectorInstanceSpec.Network();
        ri.getSpec().network.controlPort = controlPort;
        ri.getSpec().network.dataPortRange = new ReflectorInstanceSpec.PortRange(30000, 30049);
        return client.resource(ri).create();
    }

    static ReflectorInstance withStatus(KubernetesClient client, ReflectorInstance ri, ReflectorInstanceStatus status) {
        ReflectorInstance fresh = client.resource(ri).get();
        fresh.setStatus(status);
        return client.resource(fresh).updateStatus();
    }

    static Condition condition(String type, boolean status, String reason, String message) {
        return new ConditionBuilder()
                .withType(type)
                .withStatus(status ? "True" : "False")
                .withReason(reason)
                .withMessage(message)
                .withLastTransitionTime(Instant.now().toString())
                .build();
    }
}
