package io.packetparamedic.reflector.kube;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.packetparamedic.api.config.ConfigException;
import io.packetparamedic.api.config.ConfigLoader;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the instance's config Secret (a {@link NamedSecretInformer}) and hands each new valid
 * reflector.toml to the running server. A watch event arrives within milliseconds of the
 * operator's write, so an added peer, a removed one or an opened pairing code applies well within
 * a second. A version that does not parse or validate is logged and skipped: the reflector keeps
 * serving the last good configuration. The informer's callbacks run on one thread, in order.
 */
final class ConfigSecretWatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ConfigSecretWatcher.class);

    private final KubernetesClient client;
    private final KubeSettings settings;
    private final Consumer<ConfigLoader.Loaded> apply;
    private volatile String appliedText;
    private volatile String appliedHash;
    private SharedIndexInformer<Secret> informer;

    ConfigSecretWatcher(
            KubernetesClient client, KubeSettings settings, String initialText, Consumer<ConfigLoader.Loaded> apply) {
        this.client = client;
        this.settings = settings;
        this.appliedText = initialText;
        this.appliedHash = sha256(initialText);
        this.apply = apply;
    }

    /** Starts the watch; returns once the informer has listed the Secret. */
    void start() {
        informer = NamedSecretInformer.start(
                client,
                settings.instance().namespace(),
                settings.configSecret(),
                this::changed,
                () -> LOG.warn(
                        "event=config_secret_deleted secret={}/{} action=keeping_last_config",
                        settings.instance().namespace(),
                        settings.configSecret()));
        LOG.info("event=config_watch_started secret={}/{}", settings.instance().namespace(), settings.configSecret());
    }

    private void changed(Secret secret) {
        Optional<String> text = SecretSource.configText(secret, settings);
        if (text.isEmpty()) {
            LOG.warn(
                    "event=config_secret_invalid secret={}/{} error=\"no key {}\" action=keeping_last_config",
                    settings.instance().namespace(),
                    settings.configSecret(),
                    settings.configKey());
            return;
        }
        if (Objects.equals(text.get(), appliedText)) return;
        ConfigLoader.Loaded loaded;
        try {
            loaded = SecretSource.parse(text.get(), settings);
        } catch (ConfigException e) {
            LOG.warn(
                    "event=config_secret_invalid secret={}/{} resource_version={} error=\"{}\" action=keeping_last_config",
                    settings.instance().namespace(),
                    settings.configSecret(),
                    secret.getMetadata().getResourceVersion(),
                    SecretSource.firstLine(e.getMessage()));
            return;
        }
        for (String w : loaded.warnings()) LOG.warn("event=config_warning warning=\"{}\"", w.replace('"', '\''));
        appliedText = text.get();
        try {
            apply.accept(loaded);
            appliedHash = sha256(text.get());
            LOG.info(
                    "event=config_secret_applied secret={}/{} resource_version={}",
                    settings.instance().namespace(),
                    settings.configSecret(),
                    secret.getMetadata().getResourceVersion());
        } catch (RuntimeException e) {
            LOG.error("event=config_apply_failed error=\"{}\"", SecretSource.firstLine(e.toString()));
        }
    }

    /**
     * SHA-256 (hex) of the reflector.toml now serving, reported as status.appliedConfigHash: the
     * operator compares it with the digest of the Secret's text to tell that a peer or a pairing
     * code it put in the config is live.
     */
    String appliedConfigHash() {
        return appliedHash;
    }

    static String sha256(String text) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    @Override
    public void close() {
        if (informer != null) informer.close();
    }
}
