package io.packetparamedic.operator;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.Store;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.packetparamedic.api.crd.PairingWindow;
import io.packetparamedic.api.crd.PairingWindowStatus;
import io.packetparamedic.api.crd.ReflectorInstance;
import io.packetparamedic.api.crd.ReflectorInstanceStatus;
import io.packetparamedic.api.time.Rfc3339;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.ToDoubleFunction;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * What the custom resources' status says, as series the alerts of the chart's PrometheusRule
 * read: per ReflectorInstance whether it is Ready, how old its last heartbeat is and whether its
 * pod still reports an Endpoint ID other than status.endpointId (a rotation not yet taken up);
 * and a count of PairingWindows that expired unused.
 *
 * <p>Read from informers of its own, not from the reconcilers: the reconcilers write status,
 * this only watches it, and a status change shows here whichever code path made it. The
 * instance series are labelled by namespace and name; there is one instance per reflector pod,
 * so their number stays that of the reflectors.
 */
@Singleton
public class ResourceStatusMetrics {
    private static final Logger LOG = Logger.getLogger(ResourceStatusMetrics.class);

    public static final String READY = "packetparamedic.reflector.ready";
    public static final String HEARTBEAT_AGE = "packetparamedic.reflector.heartbeat.age";
    public static final String ROTATION_PENDING = "packetparamedic.reflector.identity.rotation.pending";
    public static final String WINDOWS_EXPIRED_UNUSED = "packetparamedic.pairing.windows.expired.unused";

    private final KubernetesClient client;
    private final List<String> namespaces;
    private final MultiGauge ready;
    private final MultiGauge heartbeatAge;
    private final MultiGauge rotationPending;
    private final Counter windowsExpiredUnused;
    private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
    private final List<Store<ReflectorInstance>> instanceCaches = new ArrayList<>();

    ResourceStatusMetrics(
            KubernetesClient client,
            MeterRegistry registry,
            @ConfigProperty(name = "quarkus.operator-sdk.namespaces", defaultValue = "JOSDK_ALL_NAMESPACES")
                    List<String> namespaces) {
        this.client = client;
        this.namespaces = namespaces;
        ready = MultiGauge.builder(READY)
                .description("1 when the ReflectorInstance's Ready condition is True, else 0")
                .register(registry);
        heartbeatAge = MultiGauge.builder(HEARTBEAT_AGE)
                .baseUnit("seconds")
                .description("Time since the reflector pod's last heartbeat (status.lastHeartbeat)")
                .register(registry);
        rotationPending = MultiGauge.builder(ROTATION_PENDING)
                .description(
                        "1 while the pod reports an Endpoint ID other than status.endpointId (identity rotated, pod not yet restarted)")
                .register(registry);
        windowsExpiredUnused = Counter.builder(WINDOWS_EXPIRED_UNUSED)
                .description("PairingWindows seen to turn Expired without having been consumed")
                .register(registry);
    }

    void start(@Observes StartupEvent started) {
        for (String namespace : namespaces) {
            boolean all = namespace.equals("JOSDK_ALL_NAMESPACES");
            var instances = all
                    ? client.resources(ReflectorInstance.class).inAnyNamespace()
                    : client.resources(ReflectorInstance.class).inNamespace(namespace.strip());
            var windows = all
                    ? client.resources(PairingWindow.class).inAnyNamespace()
                    : client.resources(PairingWindow.class).inNamespace(namespace.strip());
            SharedIndexInformer<ReflectorInstance> instanceInformer = instances.runnableInformer(0);
            instanceInformer.addEventHandler(new Refresh<>(this::refreshInstances));
            instanceCaches.add(instanceInformer.getStore());
            SharedIndexInformer<PairingWindow> windowInformer = windows.runnableInformer(0);
            windowInformer.addEventHandler(new WindowExpiries());
            // Started without waiting for the first list, and retried while the API server cannot
            // be reached: these series must never keep the operator from starting its controllers.
            for (SharedIndexInformer<?> informer : List.of(instanceInformer, windowInformer)) {
                informer.exceptionHandler((running, failure) -> true).start();
                informers.add(informer);
            }
        }
        LOG.infof("event=status_metrics_started namespaces=%s", String.join(",", namespaces));
    }

    void stop(@Observes ShutdownEvent stopping) {
        informers.forEach(SharedIndexInformer::close);
    }

    /** Rows for the instances now in the caches; a deleted instance's series disappear with it. */
    private synchronized void refreshInstances() {
        List<ReflectorInstance> all =
                instanceCaches.stream().flatMap(c -> c.list().stream()).toList();
        ready.register(rows(all, ResourceStatusMetrics::ready), true);
        heartbeatAge.register(rows(all, ResourceStatusMetrics::heartbeatAgeSeconds), true);
        rotationPending.register(rows(all, ResourceStatusMetrics::rotationPending), true);
    }

    /** One row per instance, evaluated at scrape time from the informer's current copy. */
    private List<MultiGauge.Row<?>> rows(
            List<ReflectorInstance> instances, ToDoubleFunction<ReflectorInstanceStatus> value) {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        for (ReflectorInstance instance : instances) {
            String namespace = instance.getMetadata().getNamespace();
            String name = instance.getMetadata().getName();
            rows.add(MultiGauge.Row.of(
                    Tags.of("reflector_namespace", namespace, "reflector", name),
                    () -> current(namespace, name).map(value::applyAsDouble).orElse(Double.NaN)));
        }
        return rows;
    }

    private java.util.Optional<ReflectorInstanceStatus> current(String namespace, String name) {
        String key = Cache.namespaceKeyFunc(namespace, name);
        return instanceCaches.stream()
                .map(c -> c.getByKey(key))
                .filter(Objects::nonNull)
                .findFirst()
                .map(ReflectorInstance::getStatus);
    }

    static double ready(ReflectorInstanceStatus status) {
        List<Condition> conditions = status.conditions == null ? List.of() : status.conditions;
        return conditions.stream()
                        .anyMatch(c ->
                                ReflectorInstanceReconciler.READY.equals(c.getType()) && "True".equals(c.getStatus()))
                ? 1
                : 0;
    }

    /** NaN before the first heartbeat: "never" is the Ready alert's case, not a stale one. */
    static double heartbeatAgeSeconds(ReflectorInstanceStatus status) {
        return Rfc3339.tryParse(status.lastHeartbeat)
                .map(t -> Duration.between(t, Instant.now()).toMillis() / 1000.0)
                .orElse(Double.NaN);
    }

    static double rotationPending(ReflectorInstanceStatus status) {
        return status.endpointId != null
                        && status.reportedEndpointId != null
                        && !status.endpointId.equals(status.reportedEndpointId)
                ? 1
                : 0;
    }

    /** Any change to the instances: rebuild the rows (cheap: one per reflector). */
    private record Refresh<T>(Runnable refresh) implements ResourceEventHandler<T> {
        @Override
        public void onAdd(T added) {
            refresh.run();
        }

        @Override
        public void onUpdate(T before, T after) {
            refresh.run();
        }

        @Override
        public void onDelete(T deleted, boolean finalStateUnknown) {
            refresh.run();
        }
    }

    /**
     * Counts the transition to Expired, so a restart (which lists every window as added) counts
     * nothing twice; a window that expires while no operator runs is not counted.
     */
    private final class WindowExpiries implements ResourceEventHandler<PairingWindow> {
        @Override
        public void onAdd(PairingWindow added) {
            // already in whatever phase it is: not a transition seen here
        }

        @Override
        public void onUpdate(PairingWindow before, PairingWindow after) {
            if (phase(before) != PairingWindowStatus.Phase.Expired
                    && phase(after) == PairingWindowStatus.Phase.Expired) {
                windowsExpiredUnused.increment();
            }
        }

        @Override
        public void onDelete(PairingWindow deleted, boolean finalStateUnknown) {
            // a deleted window neither expired nor was consumed
        }

        private static PairingWindowStatus.Phase phase(PairingWindow window) {
            return window.getStatus() == null ? null : window.getStatus().phase;
        }
    }
}
