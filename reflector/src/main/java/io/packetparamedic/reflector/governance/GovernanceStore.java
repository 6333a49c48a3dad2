package io.packetparamedic.reflector.governance;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.packetparamedic.api.time.Rfc3339;
import io.packetparamedic.reflector.wire.LinkCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The standalone reflector's governance state file ({@code governance.json} in the data
 * directory). Writes happen on a dedicated thread, never on the caller's (a Netty event loop
 * or the admission step): {@link #save} only swaps in the newest snapshot, so a burst of changes
 * costs one write. Each write goes to a temporary file that is fsynced and then atomically moved
 * over the old one, so a crash leaves either the old or the new state, never half of one.
 *
 * <p>A write that fails (disk full, I/O error) leaves the old file in place, removes its
 * temporary file, and is tried again every {@link #RETRY_DELAY} with the newest state until it
 * succeeds; the figures in memory stay right meanwhile. One WARN when writes start failing, one
 * INFO when they work again.
 */
public final class GovernanceStore implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GovernanceStore.class);
    private static final ObjectMapper JSON = LinkCodec.MAPPER;
    public static final String FILE_NAME = "governance.json";

    static final java.time.Duration RETRY_DELAY = java.time.Duration.ofSeconds(5);

    private final Path path;
    private final ScheduledThreadPoolExecutor writer =
            new ScheduledThreadPoolExecutor(1, new DefaultThreadFactory("governance-writer", true));
    private final AtomicReference<Snapshot> pending = new AtomicReference<>();
    private final AtomicLong failures = new AtomicLong();
    /** Writer thread only. */
    private boolean failing;

    public GovernanceStore(Path path) {
        this.path = path.toAbsolutePath();
        // A retry due after close is done by close itself.
        writer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    public static GovernanceStore inDataDir(Path dataDir) {
        return new GovernanceStore(dataDir.resolve(FILE_NAME));
    }

    public Path path() {
        return path;
    }

    /** The figures last written, or null when there is no file. A damaged file is reported and ignored. */
    public Snapshot load() {
        if (!Files.exists(path)) return null;
        try {
            StateFile file = JSON.readValue(Files.readAllBytes(path), StateFile.class);
            return file.toSnapshot();
        } catch (IOException | RuntimeException e) {
            LOG.error("event=governance_state_unreadable path={} error=\"{}\"", path, e.getMessage());
            return null;
        }
    }

    /** Queues the newest state for writing; never blocks. */
    public void save(Snapshot snapshot) {
        if (pending.getAndSet(snapshot) == null) {
            writer.execute(this::writePending);
        }
    }

    /** Waits until every state saved before this call is on disk. */
    public void flush() throws InterruptedException {
        try {
            writer.submit(() -> {}).get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            LOG.warn("event=governance_flush_failed path={} error=\"{}\"", path, e.toString());
        }
    }

    /** State writes that failed so far (each is retried). */
    public long failureCount() {
        return failures.get();
    }

    private void writePending() {
        Snapshot snapshot = pending.getAndSet(null);
        if (snapshot == null) return;
        try {
            write(StateFile.of(snapshot));
            if (failing)
                LOG.info("event=governance_state_write_recovered path={} failed_attempts={}", path, failures.get());
            failing = false;
        } catch (IOException e) {
            failures.incrementAndGet();
            if (!failing) {
                LOG.warn(
                        "event=governance_state_write_failed path={} retry_in_sec={} error=\"{}\"",
                        path,
                        RETRY_DELAY.toSeconds(),
                        e.getMessage());
            }
            failing = true;
            // Unless a newer state came meanwhile (its write is already queued), try this one again.
            if (pending.compareAndSet(null, snapshot) && !writer.isShutdown()) {
                writer.schedule(this::writePending, RETRY_DELAY.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
    }

    private void write(StateFile file) throws IOException {
        Path dir = path.getParent();
        Files.createDirectories(dir);
        Path tmp = dir.resolve(path.getFileName() + ".tmp");
        byte[] bytes = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(file);
        Files.deleteIfExists(tmp); // created afresh, so it gets the owner-only mode below
        try {
            try (FileChannel ch = FileChannel.open(
                    tmp,
                    Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) ch.write(buf);
                ch.force(true);
            }
            try {
                Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            Files.deleteIfExists(tmp); // a half-written temporary file is never read, and its space is wanted back
            throw e;
        }
    }

    @Override
    public void close() {
        writer.shutdown();
        try {
            if (!writer.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("event=governance_writer_slow path={}", path);
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        writePending(); // a state still waiting for its retry: one last try
    }

    /** Reflector-wide figures of {@code day} and every peer's figures. */
    public record Snapshot(LocalDate day, long testsToday, long bytesToday, Map<String, PeerFigures> peers) {}

    /** The file's JSON shape (strings for instants, so no extra Jackson modules are needed). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static final class StateFile {
        public int version = 1;
        public String day;
        public long testsToday;
        public long bytesToday;
        public Map<String, PeerEntry> peers = new LinkedHashMap<>();

        static StateFile of(Snapshot s) {
            StateFile f = new StateFile();
            f.day = s.day() == null ? null : s.day().toString();
            f.testsToday = s.testsToday();
            f.bytesToday = s.bytesToday();
            s.peers().forEach((id, p) -> f.peers.put(id, PeerEntry.of(p)));
            return f;
        }

        Snapshot toSnapshot() {
            Map<String, PeerFigures> out = new LinkedHashMap<>();
            if (peers != null) peers.forEach((id, e) -> out.put(id, e.toFigures()));
            return new Snapshot(day == null ? null : LocalDate.parse(day), testsToday, bytesToday, out);
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static final class PeerEntry {
        public List<String> testStartsLastHour = new ArrayList<>();
        public String lastTestStart;
        public String lastTestEnd;
        public String bytesDay;
        public long bytesToday;
        public long totalSessions;
        public String lastSeen;

        static PeerEntry of(PeerFigures p) {
            PeerEntry e = new PeerEntry();
            p.testStartsLastHour().forEach(i -> e.testStartsLastHour.add(i.toString()));
            e.lastTestStart = str(p.lastTestStart());
            e.lastTestEnd = str(p.lastTestEnd());
            e.bytesDay = p.bytesDay() == null ? null : p.bytesDay().toString();
            e.bytesToday = p.bytesToday();
            e.totalSessions = p.totalSessions();
            e.lastSeen = str(p.lastSeen());
            return e;
        }

        PeerFigures toFigures() {
            List<Instant> starts = new ArrayList<>();
            if (testStartsLastHour != null) testStartsLastHour.forEach(s -> starts.add(Rfc3339.parse(s)));
            return new PeerFigures(
                    starts,
                    inst(lastTestStart),
                    inst(lastTestEnd),
                    bytesDay == null ? null : LocalDate.parse(bytesDay),
                    bytesToday,
                    totalSessions,
                    inst(lastSeen));
        }

        private static String str(Instant i) {
            return i == null ? null : i.toString();
        }

        private static Instant inst(String s) {
            return s == null ? null : Rfc3339.parse(s);
        }
    }
}
