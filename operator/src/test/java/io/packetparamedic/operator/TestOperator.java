package io.packetparamedic.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.processing.Controller;
import io.packetparamedic.api.crd.AuthorizedPeer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * The operator's three reconcilers on a plain JOSDK Operator with its own client, watching one
 * test namespace. Stopping one and starting another is an operator restart: new informers,
 * caches rebuilt from the API server. Reconciliations are counted per resource so that tests
 * can wait for "reconciled again" (or "failed again") instead of sleeping; the client's write
 * requests are recorded so that tests can assert that a reconcile with nothing to do writes nothing.
 */
final class TestOperator implements AutoCloseable {

    private final Operator operator;
    private final ReflectorInstanceReconciler instances = new ReflectorInstanceReconciler();
    private final Map<String, AtomicInteger> reconciled = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> failed = new ConcurrentHashMap<>();
    /** The operator's write requests ("PATCH /apis/apps/v1/namespaces/n/deployments/d"), by method and path. */
    private final Map<String, AtomicInteger> writes = new ConcurrentHashMap<>();
    /** The body of the last write request to each method and path, to say what a write changed. */
    private final Map<String, String> lastBodies = new ConcurrentHashMap<>();

    TestOperator(Config admin, String... namespaces) {
        var client = new KubernetesClientBuilder()
                .withConfig(admin)
                .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("count-writes", new Interceptor() {
                    @Override
                    public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
                        if (!"GET".equals(request.method())) {
                            String k = request.method() + " " + request.uri().getPath();
                            String body = request.bodyString();
                            if (body != null) lastBodies.put(k, body);
                            writes.computeIfAbsent(k, x -> new AtomicInteger()).incrementAndGet();
                        }
                    }
                }))
                .build();
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
        operator.register(instances, c -> c.settingNamespaces(namespaces));
        operator.register(new AuthorizedPeerReconciler(), c -> c.settingNamespaces(namespaces));
        operator.register(new PairingWindowReconciler(), c -> c.settingNamespaces(namespaces));
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

    /** The AuthorizedPeer controller's own cache (its primary informers'), as held. */
    @SuppressWarnings("unchecked")
    Stream<AuthorizedPeer> peerControllerCache() {
        var controller = (Controller<AuthorizedPeer>)
                operator.getRegisteredController(AuthorizedPeerReconciler.NAME).orElseThrow();
        return controller.getEventSourceManager().getControllerEventSource().list(p -> true);
    }

    /** The ReflectorInstance controller's AuthorizedPeer cache, as held. */
    Stream<AuthorizedPeer> instanceControllerPeerCache() {
        return instances.peerSource().list(p -> true);
    }

    /** Every write request the operator's client sent since the last call (one entry per method and path, with the last body), sorted. */
    synchronized List<String> takeWrites() {
        List<String> taken = new ArrayList<>();
        for (String k : List.copyOf(writes.keySet())) {
            AtomicInteger n = writes.remove(k);
            String body = lastBodies.remove(k);
            if (n != null) taken.add(k + " x" + n.get() + (body == null ? "" : " last body " + abbreviate(body)));
        }
        Collections.sort(taken);
        return taken;
    }

    private static String abbreviate(String body) {
        return body.length() <= 2000 ? body : body.substring(0, 2000) + "...";
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
