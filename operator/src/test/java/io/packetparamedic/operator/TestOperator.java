package io.packetparamedic.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The operator's three reconcilers on a plain JOSDK Operator with its own client, watching one
 * test namespace. Stopping one and starting another is an operator restart: new informers,
 * caches rebuilt from the API server. Reconciliations are counted per resource so that tests
 * can wait for "reconciled again" (or "failed again") instead of sleeping.
 */
final class TestOperator implements AutoCloseable {

    private final Operator operator;
    private final Map<String, AtomicInteger> reconciled = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> failed = new ConcurrentHashMap<>();

    TestOperator(Config admin, String namespace) {
        var client = new KubernetesClientBuilder().withConfig(admin).build();
        operator = new Operator(o -> o.withKubernetesClient(client)
                .withCloseClientOnStop(true)
                .withMetrics(new Metrics() {
                    @Override
                    public void finishedReconciliation(HasMetadata resource, Map<String, Object> metadata) {
                        reconciled
                                .computeIfAbsent(key(resource), k -> new AtomicInteger())
                                .incrementAndGet();
                    }

                    @Override
                    public void failedReconciliation(
                            HasMetadata resource, Exception exception, Map<String, Object> metadata) {
                        failed.computeIfAbsent(key(resource), k -> new AtomicInteger())
                                .incrementAndGet();
                    }
                }));
        operator.register(new ReflectorInstanceReconciler(), c -> c.settingNamespace(namespace));
        operator.register(new AuthorizedPeerReconciler(), c -> c.settingNamespace(namespace));
        operator.register(new PairingWindowReconciler(), c -> c.settingNamespace(namespace));
        operator.start();
    }

    int reconciliations(HasMetadata resource) {
        AtomicInteger n = reconciled.get(key(resource));
        return n == null ? 0 : n.get();
    }

    /** Reconciles of the resource that threw: the error path ran, and JOSDK scheduled a retry. */
    int failures(HasMetadata resource) {
        AtomicInteger n = failed.get(key(resource));
        return n == null ? 0 : n.get();
    }

    private static String key(HasMetadata r) {
        return r.getKind() + "/" + r.getMetadata().getNamespace() + "/"
                + r.getMetadata().getName();
    }

    @Override
    public void close() {
        operator.stop();
    }
}
