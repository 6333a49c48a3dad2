package io.packetparamedic.reflector.kube;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.packetparamedic.api.identity.EndpointId;
import io.packetparamedic.api.identity.IdentityException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the identity Secret (by name, like the config Secret). The TLS server cannot change its
 * key while running, so when the Secret starts holding a different identity — a rotation through
 * {@code spec.identity.rotation}, or a new seed in a user-supplied Secret — the reflector stops
 * and the pod's restart picks up the new key. Only the derived Endpoint ID is compared and
 * logged, never the key.
 */
final class IdentitySecretWatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(IdentitySecretWatcher.class);

    private final KubernetesClient client;
    private final KubeSettings settings;
    private final EndpointId running;
    private final Runnable restart;
    private final AtomicBoolean triggered = new AtomicBoolean();
    private SharedIndexInformer<Secret> informer;

    IdentitySecretWatcher(KubernetesClient client, KubeSettings settings, EndpointId running, Runnable restart) {
        this.client = client;
        this.settings = settings;
        this.running = running;
        this.restart = restart;
    }

    void start() {
        informer = NamedSecretInformer.start(
                client,
                settings.instance().namespace(),
                settings.identitySecret(),
                this::changed,
                () -> LOG.warn(
                        "event=identity_secret_deleted secret={}/{} action=keeping_current_identity",
                        settings.instance().namespace(),
                        settings.identitySecret()));
    }

    private void changed(Secret secret) {
        EndpointId now;
        try {
            now = SecretSource.identity(secret, settings).endpointId();
        } catch (IdentityException e) {
            LOG.warn(
                    "event=identity_secret_invalid secret={}/{} error=\"{}\" action=keeping_current_identity",
                    settings.instance().namespace(),
                    settings.identitySecret(),
                    SecretSource.firstLine(e.getMessage()));
            return;
        }
        if (now.equals(running) || !triggered.compareAndSet(false, true)) return;
        LOG.warn(
                "event=identity_changed secret={}/{} serving={} new={} action=restart",
                settings.instance().namespace(),
                settings.identitySecret(),
                running,
                now);
        restart.run();
    }

    @Override
    public void close() {
        if (informer != null) informer.close();
    }
}
