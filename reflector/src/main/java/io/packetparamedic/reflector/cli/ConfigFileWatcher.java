package io.packetparamedic.reflector.cli;

import io.packetparamedic.api.config.ConfigException;
import io.packetparamedic.api.config.ConfigLoader;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.FileTime;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the standalone reflector's TOML file and hands each valid new version to the running
 * server. The directory is watched (editors replace files by rename), events are coalesced for a
 * moment (an editor's save is several events), and a file that no longer parses or validates is
 * logged and ignored: the server keeps the last good configuration.
 */
final class ConfigFileWatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ConfigFileWatcher.class);
    private static final long SETTLE_MS = 150;

    private final Path file;
    private final ConfigLoader.UnknownKeys unknownKeys;
    private final Consumer<ConfigLoader.Loaded> onChange;
    private final WatchService watcher;
    private final Thread thread;
    private volatile FileTime lastSeen;

    private ConfigFileWatcher(Path file, ConfigLoader.UnknownKeys unknownKeys, Consumer<ConfigLoader.Loaded> onChange)
            throws IOException {
        this.file = file.toAbsolutePath();
        this.unknownKeys = unknownKeys;
        this.onChange = onChange;
        this.watcher = FileSystems.getDefault().newWatchService();
        this.file
                .getParent()
                .register(
                        watcher,
                        StandardWatchEventKinds.ENTRY_CREATE,
                        StandardWatchEventKinds.ENTRY_MODIFY,
                        StandardWatchEventKinds.ENTRY_DELETE);
        this.lastSeen = modified();
        this.thread = new Thread(this::loop, "config-watcher");
        this.thread.setDaemon(true);
    }

    static ConfigFileWatcher start(
            Path file, ConfigLoader.UnknownKeys unknownKeys, Consumer<ConfigLoader.Loaded> onChange)
            throws IOException {
        ConfigFileWatcher w = new ConfigFileWatcher(file, unknownKeys, onChange);
        w.thread.start();
        LOG.info("event=config_watch path={}", w.file);
        return w;
    }

    private FileTime modified() {
        try {
            return Files.getLastModifiedTime(file);
        } catch (IOException e) {
            return null;
        }
    }

    private void loop() {
        try {
            while (true) {
                WatchKey key = watcher.take();
                boolean ours = false;
                for (WatchEvent<?> event : key.pollEvents()) {
                    ours |= event.kind() == StandardWatchEventKinds.OVERFLOW
                            || file.getFileName().equals(event.context());
                }
                key.reset();
                if (!ours) continue;
                // Let the burst of events of one save settle, then drain them.
                WatchKey more;
                while ((more = watcher.poll(SETTLE_MS, TimeUnit.MILLISECONDS)) != null) {
                    more.pollEvents();
                    more.reset();
                }
                reload();
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closing
        }
    }

    private void reload() {
        FileTime now = modified();
        if (now == null) {
            LOG.warn(
                    "event=config_reload_skipped path={} reason=\"file is gone; keeping the running configuration\"",
                    file);
            return;
        }
        if (Objects.equals(now, lastSeen)) return;
        lastSeen = now;
        try {
            ConfigLoader.Loaded loaded = ConfigLoader.loadFile(file, unknownKeys);
            loaded.warnings().forEach(w -> LOG.warn("event=config_warning message=\"{}\"", w));
            onChange.accept(loaded);
            LOG.info("event=config_reloaded path={}", file);
        } catch (ConfigException e) {
            LOG.error("event=config_reload_failed path={} error=\"{}\" action=kept_previous", file, e.getMessage());
        } catch (RuntimeException e) {
            LOG.error(
                    "event=config_apply_failed path={} error=\"{}: {}\"",
                    file,
                    e.getClass().getSimpleName(),
                    e.getMessage());
        }
    }

    @Override
    public void close() {
        try {
            watcher.close();
        } catch (IOException ignored) {
            // nothing else to release
        }
        thread.interrupt();
    }
}
